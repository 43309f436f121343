"""The Chat Completions request body (openai/gpt-5.4-mini), after its model card."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from airelay.core.limits import (
    MAX_CHOICES,
    MAX_CONTENT_PARTS,
    MAX_LOGIT_BIAS,
    MAX_LOGIT_BIAS_ENTRIES,
    MAX_MESSAGES,
    MAX_MINI_OUTPUT_TOKENS,
    MAX_STOP_SEQUENCES,
    MAX_TEXT_CHARS,
    MAX_TOOLS,
)
from airelay.core.models.common import (
    AllowedToolList,
    AllowedToolsMode,
    CacheBreakpoint,
    CacheRetention,
    CountryCode,
    Detail,
    Effort,
    FunctionName,
    GrammarFormat,
    Identifier,
    Int64,
    JsonObject,
    JsonObjectFormat,
    Metadata,
    Moderation,
    Name,
    PartsBound,
    Penalty,
    PlainTextFormat,
    SearchContextSize,
    Strict,
    Temperature,
    Text,
    ToolChoiceMode,
    TopLogprobs,
    TopP,
    Url,
    Verbosity,
)


class TextPart(Strict):
    type: Literal["text"]
    text: Text
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class ImageUrl(Strict):
    url: Url
    detail: Detail | None = None


class ImagePart(Strict):
    type: Literal["image_url"]
    image_url: ImageUrl
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class InputAudio(Strict):
    data: Url
    format: Literal["wav", "mp3"]


class AudioPart(Strict):
    type: Literal["input_audio"]
    input_audio: InputAudio
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class FileData(Strict):
    file_data: Url | None = None
    file_id: Identifier | None = None
    filename: Name | None = None


class FilePart(Strict):
    type: Literal["file"]
    file: FileData
    prompt_cache_breakpoint: CacheBreakpoint | None = None


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


class ToolCallFunction(FunctionCall):
    # Set by the SDK's `chat.completions.parse` on the calls it returns (`ParsedFunction`).
    parsed_arguments: JsonObject | None = None


class ToolCall(Strict):
    id: Identifier
    type: Literal["function"]
    function: ToolCallFunction


class CustomCall(Strict):
    name: FunctionName
    input: Text


class CustomToolCall(Strict):
    id: Identifier
    type: Literal["custom"]
    custom: CustomCall


class AudioReference(Strict):
    id: Identifier
    # The rest of the SDK's `ChatCompletionAudio`: a caller appends the message it was given
    # (`messages.append(r.choices[0].message)`), and the SDK sends back what the answer held.
    data: Url | None = None
    expires_at: Int64 | None = None
    transcript: Text | None = None


class UrlCitation(Strict):
    start_index: Annotated[int, Field(ge=0, le=MAX_TEXT_CHARS)]
    end_index: Annotated[int, Field(ge=0, le=MAX_TEXT_CHARS)]
    title: Text
    url: Url


class MessageAnnotation(Strict):
    type: Literal["url_citation"]
    url_citation: UrlCitation


class AssistantMessage(Strict):
    role: Literal["assistant"]
    content: Text | AssistantParts | None = None
    refusal: Text | None = None
    name: Name | None = None
    tool_calls: (
        Annotated[
            list[Annotated[ToolCall | CustomToolCall, Field(discriminator="type")]],
            Field(min_length=1, max_length=MAX_TOOLS),
        ]
        | None
    ) = None
    function_call: FunctionCall | None = None
    audio: AudioReference | None = None
    # On the SDK's `ChatCompletionMessage`, not its request TypedDict: OpenAI's answers carry
    # `"annotations": []`, and OpenAI's own function-calling guide sends the returned message
    # back as is (`messages.append(completion.choices[0].message)`), so it is relayed as sent.
    annotations: Annotated[list[MessageAnnotation], Field(max_length=MAX_CONTENT_PARTS)] | None = (
        None
    )
    # Set by the SDK's `chat.completions.parse` (`ParsedChatCompletionMessage`), and sent back
    # with the message; relayed as sent, so the upstream answers it as it would the SDK.
    parsed: JsonObject | None = None

    @model_validator(mode="after")
    def _says_something(self) -> AssistantMessage:
        # OpenAI refuses an assistant turn with neither content nor tool calls.
        if (self.content, self.tool_calls, self.refusal, self.function_call, self.audio) == (
            None,
        ) * 5:
            raise ValueError("an assistant message needs content, tool_calls or refusal")
        return self


class ToolMessage(Strict):
    role: Literal["tool"]
    content: Text | TextParts
    tool_call_id: Identifier


class FunctionMessage(Strict):
    # Deprecated by OpenAI in favour of `tool`, still part of the API.
    role: Literal["function"]
    content: Text | None
    name: FunctionName


ChatMessage = Annotated[
    SystemMessage
    | DeveloperMessage
    | UserMessage
    | AssistantMessage
    | ToolMessage
    | FunctionMessage,
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


class ChatCustomDefinition(Strict):
    name: FunctionName
    description: Text | None = None
    format: Annotated[PlainTextFormat | GrammarFormat, Field(discriminator="type")] | None = None


class ChatCustomTool(Strict):
    type: Literal["custom"]
    custom: ChatCustomDefinition


class LegacyFunction(Strict):
    name: FunctionName
    description: Text | None = None
    parameters: JsonObject | None = None


class ChatNamedFunction(Strict):
    name: FunctionName


class ChatNamedToolChoice(Strict):
    type: Literal["function"]
    function: ChatNamedFunction


class ChatNamedCustomChoice(Strict):
    type: Literal["custom"]
    custom: ChatNamedFunction


class AllowedTools(Strict):
    mode: AllowedToolsMode
    tools: AllowedToolList


class ChatAllowedToolsChoice(Strict):
    type: Literal["allowed_tools"]
    allowed_tools: AllowedTools


class ChatAudioVoice(Strict):
    id: Identifier


class ChatAudio(Strict):
    format: Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]
    voice: Name | ChatAudioVoice


class Prediction(Strict):
    type: Literal["content"]
    content: Text | TextParts


class ChatPromptCacheOptions(Strict):
    mode: Literal["implicit", "explicit"] | None = None
    ttl: Literal["30m"] | None = None


class ApproximateLocation(Strict):
    city: Name | None = None
    country: CountryCode | None = None
    region: Name | None = None
    timezone: Name | None = None


class ChatUserLocation(Strict):
    type: Literal["approximate"]
    approximate: ApproximateLocation


class WebSearchOptions(Strict):
    search_context_size: SearchContextSize | None = None
    user_location: ChatUserLocation | None = None


class StreamOptions(Strict):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


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
    tools: (
        Annotated[
            list[Annotated[ChatTool | ChatCustomTool, Field(discriminator="type")]],
            Field(max_length=MAX_TOOLS),
        ]
        | None
    ) = None
    tool_choice: (
        ToolChoiceMode
        | Annotated[
            ChatNamedToolChoice | ChatNamedCustomChoice | ChatAllowedToolsChoice,
            Field(discriminator="type"),
        ]
        | None
    ) = None
    response_format: ChatResponseFormat | None = None
    parallel_tool_calls: bool | None = None
    functions: Annotated[list[LegacyFunction], Field(min_length=1, max_length=MAX_TOOLS)] | None = (
        None
    )
    function_call: Literal["none", "auto"] | ChatNamedFunction | None = None
    n: Annotated[int, Field(ge=1, le=MAX_CHOICES)] | None = None
    stop: (
        Text | Annotated[list[Text], Field(min_length=1, max_length=MAX_STOP_SEQUENCES)] | None
    ) = None
    seed: Int64 | None = None
    logprobs: bool | None = None
    top_logprobs: TopLogprobs | None = None
    logit_bias: (
        Annotated[
            dict[
                Annotated[str, Field(pattern=r"^[0-9]{1,10}$")],
                Annotated[int, Field(ge=-MAX_LOGIT_BIAS, le=MAX_LOGIT_BIAS)],
            ],
            Field(max_length=MAX_LOGIT_BIAS_ENTRIES),
        ]
        | None
    ) = None
    user: Name | None = None
    safety_identifier: Name | None = None
    metadata: Metadata | None = None
    store: bool | None = None
    reasoning_effort: Effort | None = None
    verbosity: Verbosity | None = None
    service_tier: Literal["auto", "default", "flex", "scale", "priority", "fast"] | None = None
    prompt_cache_key: Name | None = None
    prompt_cache_options: ChatPromptCacheOptions | None = None
    prompt_cache_retention: CacheRetention | None = None
    modalities: Annotated[list[Literal["text", "audio"]], Field(max_length=2)] | None = None
    audio: ChatAudio | None = None
    prediction: Prediction | None = None
    moderation: Moderation | None = None
    web_search_options: WebSearchOptions | None = None

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
