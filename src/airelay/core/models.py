"""Request bodies of the two routes, one pydantic model per API, mirroring the model cards."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from airelay.core.limits import (
    MAX_CONTENT_PARTS,
    MAX_ID_CHARS,
    MAX_MESSAGES,
    MAX_MINI_OUTPUT_TOKENS,
    MAX_NAME_CHARS,
    MAX_PRO_OUTPUT_TOKENS,
    MAX_TEXT_CHARS,
    MAX_TOOLS,
    MAX_URL_CHARS,
)


class Strict(BaseModel):
    """Unknown fields are errors and JSON types are not coerced: what passes is sent as is."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
Identifier = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
FunctionName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Url = Annotated[str, Field(min_length=1, max_length=MAX_URL_CHARS)]
JsonObject = dict[str, Any]
Temperature = Annotated[float, Field(ge=0, le=2)]
TopP = Annotated[float, Field(ge=0, le=1)]
Penalty = Annotated[float, Field(ge=-2, le=2)]
Detail = Literal["auto", "low", "high"]


PartsBound = Field(min_length=1, max_length=MAX_CONTENT_PARTS)


# --- Chat Completions (openai/gpt-5.4-mini) ------------------------------------------------


class TextPart(Strict):
    type: Literal["text"]
    text: Text


class ImageUrl(Strict):
    url: Url
    detail: Detail | None = None


class ImagePart(Strict):
    type: Literal["image_url"]
    image_url: ImageUrl


class InputAudio(Strict):
    data: Url
    format: Literal["wav", "mp3"]


class AudioPart(Strict):
    type: Literal["input_audio"]
    input_audio: InputAudio


class FileData(Strict):
    file_data: Url | None = None
    file_id: Identifier | None = None
    filename: Name | None = None


class FilePart(Strict):
    type: Literal["file"]
    file: FileData


class RefusalPart(Strict):
    type: Literal["refusal"]
    refusal: Text


UserPart = Annotated[TextPart | ImagePart | AudioPart | FilePart, Field(discriminator="type")]
AssistantPart = Annotated[TextPart | RefusalPart, Field(discriminator="type")]
TextParts = Annotated[list[TextPart], PartsBound]
UserParts = Annotated[list[UserPart], PartsBound]
AssistantParts = Annotated[list[AssistantPart], PartsBound]


class SystemMessage(Strict):
    role: Literal["system"]
    content: Text | TextParts
    name: Name | None = None


class DeveloperMessage(Strict):
    role: Literal["developer"]
    content: Text | TextParts
    name: Name | None = None


class UserMessage(Strict):
    role: Literal["user"]
    content: Text | UserParts
    name: Name | None = None


class FunctionCall(Strict):
    name: FunctionName
    arguments: Text


class ToolCall(Strict):
    id: Identifier
    type: Literal["function"]
    function: FunctionCall


class AssistantMessage(Strict):
    role: Literal["assistant"]
    content: Text | AssistantParts | None = None
    refusal: Text | None = None
    name: Name | None = None
    tool_calls: Annotated[list[ToolCall], Field(min_length=1, max_length=MAX_TOOLS)] | None = None

    @model_validator(mode="after")
    def _says_something(self) -> AssistantMessage:
        # OpenAI refuses an assistant turn with neither content nor tool calls.
        if self.content is None and self.tool_calls is None and self.refusal is None:
            raise ValueError("an assistant message needs content, tool_calls or refusal")
        return self


class ToolMessage(Strict):
    role: Literal["tool"]
    content: Text | TextParts
    tool_call_id: Identifier


ChatMessage = Annotated[
    SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage,
    Field(discriminator="role"),
]


class FunctionDefinition(Strict):
    name: FunctionName
    description: Text | None = None
    parameters: JsonObject | None = None
    strict: bool | None = None


class ChatTool(Strict):
    type: Literal["function"]
    function: FunctionDefinition


class ChatNamedFunction(Strict):
    name: FunctionName


class ChatNamedToolChoice(Strict):
    type: Literal["function"]
    function: ChatNamedFunction


class StreamOptions(Strict):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


class PlainTextFormat(Strict):
    type: Literal["text"]


class JsonObjectFormat(Strict):
    type: Literal["json_object"]


class JsonSchemaSpec(Strict):
    name: FunctionName
    description: Text | None = None
    schema_: JsonObject | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ChatJsonSchemaFormat(Strict):
    type: Literal["json_schema"]
    json_schema: JsonSchemaSpec


ChatResponseFormat = Annotated[
    PlainTextFormat | JsonObjectFormat | ChatJsonSchemaFormat, Field(discriminator="type")
]
ToolChoiceMode = Literal["none", "auto", "required"]


class ChatCompletionRequest(Strict):
    """POST /v1/chat/completions, as the gpt-5.4-mini card defines it."""

    model: Name | None = None
    messages: Annotated[list[ChatMessage], Field(min_length=1, max_length=MAX_MESSAGES)]
    temperature: Temperature | None = None
    max_tokens: Annotated[int, Field(gt=0, le=MAX_MINI_OUTPUT_TOKENS)] | None = None
    max_completion_tokens: Annotated[int, Field(gt=0, le=MAX_MINI_OUTPUT_TOKENS)] | None = None
    top_p: TopP | None = None
    frequency_penalty: Penalty | None = None
    presence_penalty: Penalty | None = None
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    # `tools` before `tool_choice`: fields validate in order, and tool_choice's check reads tools.
    tools: Annotated[list[ChatTool], Field(max_length=MAX_TOOLS)] | None = None
    tool_choice: ToolChoiceMode | ChatNamedToolChoice | None = None
    response_format: ChatResponseFormat | None = None

    # Field validators, not a model validator, so that the error names the parameter.
    @field_validator("stream_options")
    @classmethod
    def _check_stream_options(
        cls, value: StreamOptions | None, info: ValidationInfo
    ) -> StreamOptions | None:
        if value is not None and "stream" in info.data and not info.data["stream"]:
            raise ValueError("only allowed when stream is true")
        return value

    @field_validator("tool_choice")
    @classmethod
    def _check_tool_choice(cls, value: Any, info: ValidationInfo) -> Any:
        if (
            isinstance(value, ChatNamedToolChoice)
            and "tools" in info.data
            and not info.data["tools"]
        ):
            raise ValueError("a named function needs tools to choose from")
        return value


# --- Responses (openai/gpt-5.4-pro) ---------------------------------------------------------


class InputTextPart(Strict):
    type: Literal["input_text"]
    text: Text


class InputImagePart(Strict):
    type: Literal["input_image"]
    image_url: Url | None = None
    file_id: Identifier | None = None
    detail: Detail | None = None


class InputFilePart(Strict):
    type: Literal["input_file"]
    file_id: Identifier | None = None
    file_data: Url | None = None
    file_url: Url | None = None
    filename: Name | None = None


class OutputTextPart(Strict):
    type: Literal["output_text"]
    text: Text
    annotations: Annotated[list[JsonObject], Field(max_length=MAX_CONTENT_PARTS)] | None = None
    logprobs: Annotated[list[JsonObject], Field(max_length=MAX_TEXT_CHARS)] | None = None


class OutputRefusalPart(Strict):
    type: Literal["refusal"]
    refusal: Text


InputPart = Annotated[InputTextPart | InputImagePart | InputFilePart, Field(discriminator="type")]
OutputPart = Annotated[OutputTextPart | OutputRefusalPart, Field(discriminator="type")]
InputParts = Annotated[list[InputPart], PartsBound]
OutputParts = Annotated[list[OutputPart], PartsBound]
ItemStatus = Literal["in_progress", "completed", "incomplete"]


class InputMessage(Strict):
    type: Literal["message"] | None = None
    role: Literal["user", "system", "developer"]
    content: Text | InputParts
    status: ItemStatus | None = None


class OutputMessage(Strict):
    type: Literal["message"] | None = None
    role: Literal["assistant"]
    content: Text | OutputParts
    id: Identifier | None = None
    status: ItemStatus | None = None
    phase: Annotated[str, Field(max_length=64)] | None = None


class FunctionCallItem(Strict):
    type: Literal["function_call"]
    call_id: Identifier
    name: FunctionName
    arguments: Text
    id: Identifier | None = None
    status: ItemStatus | None = None


class FunctionCallOutputItem(Strict):
    type: Literal["function_call_output"]
    call_id: Identifier
    output: Text | InputParts
    id: Identifier | None = None
    status: ItemStatus | None = None


class SummaryText(Strict):
    type: Literal["summary_text"]
    text: Text


class ReasoningItem(Strict):
    type: Literal["reasoning"]
    id: Identifier
    summary: Annotated[list[SummaryText], Field(max_length=MAX_CONTENT_PARTS)]
    encrypted_content: Text | None = None
    status: ItemStatus | None = None


class ItemReference(Strict):
    type: Literal["item_reference"]
    id: Identifier


def _input_item_kind(value: Any) -> str | None:
    # Messages may omit `type` (EasyInputMessage), so their role decides the model.
    if isinstance(value, dict):
        if "role" in value:
            return "assistant" if value["role"] == "assistant" else "message"
        kind = value.get("type")
        return kind if isinstance(kind, str) else None
    return None


InputItem = Annotated[
    Annotated[InputMessage, Tag("message")]
    | Annotated[OutputMessage, Tag("assistant")]
    | Annotated[FunctionCallItem, Tag("function_call")]
    | Annotated[FunctionCallOutputItem, Tag("function_call_output")]
    | Annotated[ReasoningItem, Tag("reasoning")]
    | Annotated[ItemReference, Tag("item_reference")],
    Discriminator(
        _input_item_kind,
        custom_error_type="invalid_input_item",
        custom_error_message="Input item must be a message (with `role`) or have a known `type`",
    ),
]


class Reasoning(Strict):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None


class ResponsesJsonSchemaFormat(Strict):
    type: Literal["json_schema"]
    name: FunctionName
    schema_: JsonObject = Field(alias="schema")
    description: Text | None = None
    strict: bool | None = None


TextFormat = Annotated[
    PlainTextFormat | JsonObjectFormat | ResponsesJsonSchemaFormat, Field(discriminator="type")
]


class TextOptions(Strict):
    format: TextFormat | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class FunctionTool(Strict):
    type: Literal["function"]
    name: FunctionName
    description: Text | None = None
    parameters: JsonObject | None = None
    strict: bool | None = None


class UserLocation(Strict):
    type: Literal["approximate"]
    city: Name | None = None
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = None
    region: Name | None = None
    timezone: Name | None = None


class WebSearchFilters(Strict):
    allowed_domains: Annotated[list[Name], Field(max_length=100)] | None = None


class WebSearchTool(Strict):
    type: Literal["web_search", "web_search_preview"]
    search_context_size: Literal["low", "medium", "high"] | None = None
    user_location: UserLocation | None = None
    filters: WebSearchFilters | None = None


ResponsesTool = Annotated[FunctionTool | WebSearchTool, Field(discriminator="type")]


class FunctionToolChoice(Strict):
    type: Literal["function"]
    name: FunctionName


class HostedToolChoice(Strict):
    # Only the preview tool can be forced by type: OpenAI's tool_choice has no `web_search`.
    type: Literal["web_search_preview"]


class ResponsesRequest(Strict):
    """POST /v1/responses, as the gpt-5.4-pro card defines it."""

    model: Name | None = None
    input: Text | Annotated[list[InputItem], Field(min_length=1, max_length=MAX_MESSAGES)]
    instructions: Text | None = None
    max_output_tokens: Annotated[int, Field(gt=0, le=MAX_PRO_OUTPUT_TOKENS)] | None = None
    reasoning: Reasoning | None = None
    stream: bool | None = None
    temperature: Temperature | None = None
    text: TextOptions | None = None
    # `tools` before `tool_choice`: fields validate in order, and tool_choice's check reads tools.
    tools: Annotated[list[ResponsesTool], Field(max_length=MAX_TOOLS)] | None = None
    tool_choice: (
        ToolChoiceMode
        | Annotated[FunctionToolChoice | HostedToolChoice, Field(discriminator="type")]
        | None
    ) = None
    top_p: TopP | None = None

    # A field validator, not a model validator, so that the error names the parameter.
    @field_validator("tool_choice")
    @classmethod
    def _check_tool_choice(cls, value: Any, info: ValidationInfo) -> Any:
        if (
            isinstance(value, FunctionToolChoice)
            and "tools" in info.data
            and not any(
                isinstance(t, FunctionTool) and t.name == value.name
                for t in info.data["tools"] or ()
            )
        ):
            raise ValueError("names a function that is not in tools")
        return value


RelayRequest = ChatCompletionRequest | ResponsesRequest
