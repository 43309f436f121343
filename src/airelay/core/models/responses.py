"""The Responses request body (openai/gpt-5.4-pro), after its model card."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, ValidationInfo, field_validator

from airelay.core.limits import (
    MAX_CONTENT_PARTS,
    MAX_INCLUDES,
    MAX_MESSAGES,
    MAX_PRO_OUTPUT_TOKENS,
    MAX_TEXT_CHARS,
    MAX_TOOLS,
)
from airelay.core.models import tools as hosted
from airelay.core.models.common import (
    AllowedToolList,
    AllowedToolsMode,
    CacheBreakpoint,
    CacheRetention,
    Callers,
    CountryCode,
    Detail,
    Effort,
    FunctionName,
    GrammarFormat,
    Identifier,
    JsonObject,
    JsonObjectFormat,
    Metadata,
    Moderation,
    Name,
    PartsBound,
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


class InputTextPart(Strict):
    type: Literal["input_text"]
    text: Text
    prompt_cache_breakpoint: CacheBreakpoint | None = None


class InputImagePart(Strict):
    type: Literal["input_image"]
    image_url: Url | None = None
    file_id: Identifier | None = None
    detail: Detail | None = None
    prompt_cache_breakpoint: CacheBreakpoint | None = None


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
    phase: Literal["commentary", "final_answer"] | None = None


class OutputMessage(Strict):
    type: Literal["message"] | None = None
    role: Literal["assistant"]
    content: Text | OutputParts
    id: Identifier | None = None
    status: ItemStatus | None = None
    phase: Annotated[str, Field(max_length=64)] | None = None


class Caller(Strict):
    type: Literal["direct", "program"]
    id: Identifier | None = None
    program_id: Identifier | None = None


class FunctionCallItem(Strict):
    type: Literal["function_call"]
    call_id: Identifier
    name: FunctionName
    arguments: Text
    id: Identifier | None = None
    status: ItemStatus | None = None
    namespace: Name | None = None
    caller: Caller | None = None
    async_: bool | None = Field(default=None, alias="async")


class FunctionCallOutputItem(Strict):
    type: Literal["function_call_output"]
    call_id: Identifier | None = None
    output: Text | InputParts
    id: Identifier | None = None
    status: ItemStatus | None = None
    name: FunctionName | None = None
    namespace: Name | None = None
    caller: Caller | None = None


class CustomToolCallItem(Strict):
    type: Literal["custom_tool_call"]
    call_id: Identifier
    name: FunctionName
    input: Text
    id: Identifier | None = None
    namespace: Name | None = None
    caller: Caller | None = None


class CustomToolCallOutputItem(Strict):
    type: Literal["custom_tool_call_output"]
    call_id: Identifier
    output: Text | InputParts
    id: Identifier | None = None
    caller: Caller | None = None


class SummaryText(Strict):
    type: Literal["summary_text"]
    text: Text


class ReasoningText(Strict):
    type: Literal["reasoning_text"]
    text: Text


class ReasoningItem(Strict):
    type: Literal["reasoning"]
    id: Identifier
    summary: Annotated[list[SummaryText], Field(max_length=MAX_CONTENT_PARTS)]
    content: Annotated[list[ReasoningText], Field(max_length=MAX_CONTENT_PARTS)] | None = None
    encrypted_content: Text | None = None
    status: ItemStatus | None = None


class ItemReference(Strict):
    type: Literal["item_reference"] | None = None
    id: Identifier


SummaryMode = Literal["auto", "concise", "detailed"]


class Reasoning(Strict):
    effort: Effort | None = None
    summary: SummaryMode | None = None
    # Deprecated alias of `summary`, still typed by the SDK.
    generate_summary: SummaryMode | None = None
    context: Literal["auto", "current_turn", "all_turns"] | None = None
    mode: Name | None = None


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
    verbosity: Verbosity | None = None


class FunctionTool(Strict):
    type: Literal["function"]
    name: FunctionName
    description: Text | None = None
    parameters: JsonObject | None = None
    strict: bool | None = None
    output_schema: JsonObject | None = None
    defer_loading: bool | None = None
    allowed_callers: Callers | None = None
    async_: bool | None = Field(default=None, alias="async")


class CustomTool(Strict):
    type: Literal["custom"]
    name: FunctionName
    description: Text | None = None
    format: Annotated[PlainTextFormat | GrammarFormat, Field(discriminator="type")] | None = None
    defer_loading: bool | None = None
    allowed_callers: Callers | None = None
    async_: bool | None = Field(default=None, alias="async")


class UserLocation(Strict):
    type: Literal["approximate"]
    city: Name | None = None
    country: CountryCode | None = None
    region: Name | None = None
    timezone: Name | None = None


class WebSearchFilters(Strict):
    allowed_domains: Annotated[list[Name], Field(max_length=100)] | None = None


class WebSearchTool(Strict):
    type: Literal["web_search", "web_search_2025_08_26"]
    search_context_size: SearchContextSize | None = None
    user_location: UserLocation | None = None
    filters: WebSearchFilters | None = None
    external_web_access: bool | None = None


class WebSearchPreviewTool(Strict):
    type: Literal["web_search_preview", "web_search_preview_2025_03_11"]
    search_context_size: SearchContextSize | None = None
    user_location: UserLocation | None = None
    search_content_types: Annotated[list[Literal["text", "image"]], Field(max_length=2)] | None = (
        None
    )


def _tool_kind(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else None
    if kind in ("web_search_2025_08_26",):
        return "web_search"
    if kind in ("web_search_preview_2025_03_11",):
        return "web_search_preview"
    return kind if isinstance(kind, str) else None


class NamespaceTool(Strict):
    type: Literal["namespace"]
    name: Name
    description: Text
    tools: Annotated[
        list[Annotated[FunctionTool | CustomTool, Field(discriminator="type")]],
        Field(min_length=1, max_length=MAX_TOOLS),
    ]


# Every tool type of the pinned SDK (ToolParam); ALLOWED_TOOLS narrows them (core/tool_policy).
ResponsesTool = Annotated[
    Annotated[FunctionTool, Tag("function")]
    | Annotated[CustomTool, Tag("custom")]
    | Annotated[WebSearchTool, Tag("web_search")]
    | Annotated[WebSearchPreviewTool, Tag("web_search_preview")]
    | Annotated[NamespaceTool, Tag("namespace")]
    | Annotated[hosted.FileSearchTool, Tag("file_search")]
    | Annotated[hosted.ComputerTool, Tag("computer")]
    | Annotated[hosted.ComputerUsePreviewTool, Tag("computer_use_preview")]
    | Annotated[hosted.McpTool, Tag("mcp")]
    | Annotated[hosted.CodeInterpreterTool, Tag("code_interpreter")]
    | Annotated[hosted.ProgrammaticToolCallingTool, Tag("programmatic_tool_calling")]
    | Annotated[hosted.ImageGenerationTool, Tag("image_generation")]
    | Annotated[hosted.LocalShellTool, Tag("local_shell")]
    | Annotated[hosted.ShellTool, Tag("shell")]
    | Annotated[hosted.ToolSearchTool, Tag("tool_search")]
    | Annotated[hosted.ApplyPatchTool, Tag("apply_patch")],
    Discriminator(
        _tool_kind,
        custom_error_type="invalid_tool",
        custom_error_message="Tool `type` must be one of the Responses API's tool types",
    ),
]


class FunctionToolChoice(Strict):
    type: Literal["function"]
    name: FunctionName


class CustomToolChoice(Strict):
    type: Literal["custom"]
    name: FunctionName


class AllowedToolsChoice(Strict):
    type: Literal["allowed_tools"]
    mode: AllowedToolsMode
    tools: AllowedToolList


class HostedToolChoice(Strict):
    # The hosted tools that tool_choice can force by type (SDK: ToolChoiceTypesParam).
    type: Literal[
        "file_search",
        "web_search_preview",
        "computer",
        "computer_use_preview",
        "computer_use",
        "web_search_preview_2025_03_11",
        "image_generation",
        "code_interpreter",
    ]


def _choice_kind(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else None
    named = ("function", "custom", "allowed_tools", "mcp", "shell", "apply_patch")
    if kind in (*named, "programmatic_tool_calling"):
        return str(kind)
    return "hosted" if isinstance(kind, str) else None


ResponsesToolChoice = Annotated[
    Annotated[FunctionToolChoice, Tag("function")]
    | Annotated[CustomToolChoice, Tag("custom")]
    | Annotated[AllowedToolsChoice, Tag("allowed_tools")]
    | Annotated[hosted.McpToolChoice, Tag("mcp")]
    | Annotated[hosted.ShellToolChoice, Tag("shell")]
    | Annotated[hosted.ApplyPatchToolChoice, Tag("apply_patch")]
    | Annotated[hosted.ProgrammaticToolChoice, Tag("programmatic_tool_calling")]
    | Annotated[HostedToolChoice, Tag("hosted")],
    Discriminator(
        _choice_kind,
        custom_error_type="invalid_tool_choice",
        custom_error_message="tool_choice must be a mode or have a known `type`",
    ),
]

Include = Literal[
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
]


class Conversation(Strict):
    id: Identifier


PromptVariable = Annotated[
    Text | Annotated[InputTextPart | InputImagePart | InputFilePart, Field(discriminator="type")],
    Field(union_mode="left_to_right"),
]


class Prompt(Strict):
    id: Identifier
    variables: Annotated[dict[Name, PromptVariable], Field(max_length=MAX_TOOLS)] | None = None
    version: Name | None = None


class ResponsesStreamOptions(Strict):
    include_obfuscation: bool | None = None


class ResponsesPromptCacheOptions(Strict):
    comparison_response_id: Identifier | None = None
    mode: Literal["implicit", "explicit"] | None = None
    prewarm: bool | None = None
    ttl: Literal["30m", "12h"] | None = None


class ContextManagement(Strict):
    type: Name
    compact_threshold: Annotated[int, Field(ge=0)] | None = None


class BackgroundOptions(Strict):
    completion_window: Literal["soonest", "2h", "8h"] | None = None
    continuation_id: Identifier | None = None


class AccessPrograms(Strict):
    cyber: Literal["standard", "daybreak_blue", "daybreak_red"] | None = None


class ImageOptions(Strict):
    context_compression: Literal["auto", "enabled", "disabled"] | None = None


class ToolSearchOutputItem(Strict):
    type: Literal["tool_search_output"]
    tools: Annotated[list[ResponsesTool], Field(max_length=MAX_TOOLS)]
    id: Identifier | None = None
    call_id: Identifier | None = None
    execution: Literal["server", "client"] | None = None
    status: ItemStatus | None = None


def _input_item_kind(value: Any) -> str | None:
    # Messages may omit `type` (EasyInputMessage), so their role decides the model.
    if isinstance(value, dict):
        if "role" in value:
            return "assistant" if value["role"] == "assistant" else "message"
        kind = value.get("type")
        if kind is None and "id" in value:
            return "item_reference"
        return kind if isinstance(kind, str) else None
    return None


InputItem = Annotated[
    Annotated[InputMessage, Tag("message")]
    | Annotated[OutputMessage, Tag("assistant")]
    | Annotated[FunctionCallItem, Tag("function_call")]
    | Annotated[FunctionCallOutputItem, Tag("function_call_output")]
    | Annotated[CustomToolCallItem, Tag("custom_tool_call")]
    | Annotated[CustomToolCallOutputItem, Tag("custom_tool_call_output")]
    | Annotated[ReasoningItem, Tag("reasoning")]
    | Annotated[ItemReference, Tag("item_reference")]
    | Annotated[hosted.FileSearchCallItem, Tag("file_search_call")]
    | Annotated[hosted.ComputerCallItem, Tag("computer_call")]
    | Annotated[hosted.ComputerCallOutputItem, Tag("computer_call_output")]
    | Annotated[hosted.WebSearchCallItem, Tag("web_search_call")]
    | Annotated[hosted.ImageGenerationCallItem, Tag("image_generation_call")]
    | Annotated[hosted.CodeInterpreterCallItem, Tag("code_interpreter_call")]
    | Annotated[hosted.LocalShellCallItem, Tag("local_shell_call")]
    | Annotated[hosted.LocalShellCallOutputItem, Tag("local_shell_call_output")]
    | Annotated[hosted.ShellCallItem, Tag("shell_call")]
    | Annotated[hosted.ShellCallOutputItem, Tag("shell_call_output")]
    | Annotated[hosted.ApplyPatchCallItem, Tag("apply_patch_call")]
    | Annotated[hosted.ApplyPatchCallOutputItem, Tag("apply_patch_call_output")]
    | Annotated[hosted.McpListToolsItem, Tag("mcp_list_tools")]
    | Annotated[hosted.McpApprovalRequestItem, Tag("mcp_approval_request")]
    | Annotated[hosted.McpApprovalResponseItem, Tag("mcp_approval_response")]
    | Annotated[hosted.McpCallItem, Tag("mcp_call")]
    | Annotated[hosted.ToolSearchCallItem, Tag("tool_search_call")]
    | Annotated[ToolSearchOutputItem, Tag("tool_search_output")]
    | Annotated[hosted.ProgramItem, Tag("program")]
    | Annotated[hosted.ProgramOutputItem, Tag("program_output")],
    Discriminator(
        _input_item_kind,
        custom_error_type="invalid_input_item",
        custom_error_message="Input item must be a message (with `role`) or have a known `type`",
    ),
]


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
    tool_choice: ToolChoiceMode | ResponsesToolChoice | None = None
    top_p: TopP | None = None
    parallel_tool_calls: bool | None = None
    max_tool_calls: Annotated[int, Field(ge=1, le=MAX_TOOLS * 8)] | None = None
    top_logprobs: TopLogprobs | None = None
    truncation: Literal["auto", "disabled"] | None = None
    include: Annotated[list[Include], Field(max_length=MAX_INCLUDES)] | None = None
    store: bool | None = None
    background: bool | None = None
    background_options: BackgroundOptions | None = None
    metadata: Metadata | None = None
    user: Name | None = None
    safety_identifier: Name | None = None
    service_tier: (
        Literal["auto", "default", "flex", "scale", "priority", "fast", "ultrafast"] | None
    ) = None
    previous_response_id: Identifier | None = None
    conversation: Identifier | Conversation | None = None
    prompt: Prompt | None = None
    prompt_cache_key: Name | None = None
    prompt_cache_options: ResponsesPromptCacheOptions | None = None
    prompt_cache_retention: CacheRetention | None = None
    stream_options: ResponsesStreamOptions | None = None
    context_management: (
        Annotated[list[ContextManagement], Field(max_length=MAX_CONTENT_PARTS)] | None
    ) = None
    moderation: Moderation | None = None
    image: ImageOptions | None = None
    access_programs: AccessPrograms | None = None

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
