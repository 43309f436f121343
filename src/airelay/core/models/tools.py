"""The hosted tools of the Responses API and their items, as the pinned `openai` SDK types them.

Tools: `openai.types.responses.tool_param`; items: `response_input_param` (what a caller sends
back of a previous answer: calls, their outputs, MCP listings and approvals).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from airelay.core.limits import MAX_CONTENT_PARTS, MAX_TOOLS
from airelay.core.models.common import (
    Callers,
    Effort,
    Identifier,
    JsonObject,
    Name,
    Strict,
    Text,
    Url,
)


class Deferred(Strict):
    """A part of the Responses body, validated only inside it: no validator of its own."""

    # Each model builds a validator of its own at import unless deferred; these are only ever
    # validated as parts of ResponsesRequest, whose validator holds theirs.
    model_config = ConfigDict(defer_build=True)


Names = Annotated[list[Name], Field(max_length=MAX_TOOLS)]
Ids = Annotated[list[Identifier], Field(max_length=MAX_TOOLS)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
Coordinate = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Headers = Annotated[dict[Name, Text], Field(max_length=MAX_TOOLS)]
CallStatus = Literal["in_progress", "completed", "incomplete"]


Parts = Field(max_length=MAX_CONTENT_PARTS)


# --- file_search ----------------------------------------------------------------------------------


class ComparisonFilter(Deferred):
    key: Name
    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    value: Text | float | bool | Annotated[list[Text | float], Field(max_length=MAX_CONTENT_PARTS)]


class CompoundFilter(Deferred):
    type: Literal["and", "or"]
    # Nesting is bounded by the body's depth limit (core/jsonio.py).
    filters: Annotated[
        list[Annotated[ComparisonFilter | CompoundFilter, Field(union_mode="left_to_right")]],
        Field(min_length=1, max_length=MAX_CONTENT_PARTS),
    ]


class HybridSearch(Deferred):
    embedding_weight: float
    text_weight: float


class RankingOptions(Deferred):
    hybrid_search: HybridSearch | None = None
    ranker: Literal["auto", "default-2024-11-15"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class FileSearchTool(Deferred):
    type: Literal["file_search"]
    vector_store_ids: Ids
    filters: (
        Annotated[ComparisonFilter | CompoundFilter, Field(union_mode="left_to_right")] | None
    ) = None
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: RankingOptions | None = None


# --- computer use ---------------------------------------------------------------------------------


class ComputerTool(Deferred):
    type: Literal["computer"]


class ComputerUsePreviewTool(Deferred):
    type: Literal["computer_use_preview"]
    display_width: Annotated[int, Field(ge=1, le=65_535)]
    display_height: Annotated[int, Field(ge=1, le=65_535)]
    environment: Literal["windows", "mac", "linux", "ubuntu", "browser"]


# --- MCP ------------------------------------------------------------------------------------------


class McpToolFilter(Deferred):
    read_only: bool | None = None
    tool_names: Names | None = None


class McpApprovalFilter(Deferred):
    always: McpToolFilter | None = None
    never: McpToolFilter | None = None


Connector = Literal[
    "connector_dropbox",
    "connector_gmail",
    "connector_googlecalendar",
    "connector_googledrive",
    "connector_microsoftteams",
    "connector_outlookcalendar",
    "connector_outlookemail",
    "connector_sharepoint",
]


class McpTool(Deferred):
    type: Literal["mcp"]
    server_label: Name
    allowed_callers: Callers | None = None
    allowed_tools: Names | McpToolFilter | None = None
    authorization: Text | None = None
    connector_id: Connector | None = None
    defer_loading: bool | None = None
    headers: Headers | None = None
    require_approval: McpApprovalFilter | Literal["always", "never"] | None = None
    server_description: Text | None = None
    server_url: Url | None = None
    tunnel_id: Identifier | None = None


# --- containers (code interpreter, shell) ---------------------------------------------------------

MemoryLimit = Literal["1g", "4g", "16g", "64g"]


class NetworkDisabled(Deferred):
    type: Literal["disabled"]


class DomainSecret(Deferred):
    domain: Name
    name: Name
    value: Text


class NetworkAllowlist(Deferred):
    type: Literal["allowlist"]
    allowed_domains: Names
    domain_secrets: Annotated[list[DomainSecret], Parts] | None = None


NetworkPolicy = Annotated[NetworkDisabled | NetworkAllowlist, Field(discriminator="type")]


class CodeInterpreterAuto(Deferred):
    type: Literal["auto"]
    file_ids: Ids | None = None
    memory_limit: MemoryLimit | None = None
    network_policy: NetworkPolicy | None = None


class CodeInterpreterTool(Deferred):
    type: Literal["code_interpreter"]
    container: Identifier | CodeInterpreterAuto
    allowed_callers: Callers | None = None


class ProgrammaticToolCallingTool(Deferred):
    type: Literal["programmatic_tool_calling"]


class SkillReference(Deferred):
    type: Literal["skill_reference"]
    skill_id: Identifier
    version: Name | None = None


class InlineSkillSource(Deferred):
    type: Literal["base64"]
    data: Url
    media_type: Literal["application/zip"]


class InlineSkill(Deferred):
    type: Literal["inline"]
    name: Name
    description: Text
    source: InlineSkillSource


class LocalSkill(Deferred):
    name: Name
    description: Text
    path: Text


class ContainerAuto(Deferred):
    type: Literal["container_auto"]
    file_ids: Ids | None = None
    memory_limit: MemoryLimit | None = None
    network_policy: NetworkPolicy | None = None
    skills: (
        Annotated[list[Annotated[SkillReference | InlineSkill, Field(discriminator="type")]], Parts]
        | None
    ) = None


class LocalEnvironment(Deferred):
    type: Literal["local"]
    skills: Annotated[list[LocalSkill], Parts] | None = None


class ContainerReference(Deferred):
    type: Literal["container_reference"]
    container_id: Identifier


class ShellTool(Deferred):
    type: Literal["shell"]
    allowed_callers: Callers | None = None
    environment: (
        Annotated[
            ContainerAuto | LocalEnvironment | ContainerReference, Field(discriminator="type")
        ]
        | None
    ) = None


# --- image generation -----------------------------------------------------------------------------


class ImageMask(Deferred):
    file_id: Identifier | None = None
    image_url: Url | None = None


class SvgReasoning(Deferred):
    effort: Effort | None = None


class SvgOptions(Deferred):
    model: Name | None = None
    reasoning: SvgReasoning | None = None


# The image options the tool takes and its call item reports back.
ImageAction = Literal["generate", "edit", "auto"]
ImageBackground = Literal["transparent", "opaque", "auto"]
ImageFormat = Literal["png", "webp", "jpeg", "gif", "svg"]
ImageQuality = Literal["low", "medium", "high", "xhigh", "max", "auto"]


class ImageGenerationTool(Deferred):
    type: Literal["image_generation"]
    action: ImageAction | None = None
    background: ImageBackground | None = None
    complexity: Literal["low", "medium", "high"] | None = None
    frame_count: Annotated[int, Field(ge=1, le=1000)] | None = None
    frame_duration_ms: Annotated[int, Field(ge=0, le=60_000)] | None = None
    input_fidelity: Literal["high", "low"] | None = None
    input_image_mask: ImageMask | None = None
    model: Name | None = None
    moderation: Literal["auto", "low"] | None = None
    output_compression: Annotated[int, Field(ge=0, le=100)] | None = None
    output_format: ImageFormat | None = None
    partial_images: Annotated[int, Field(ge=0, le=3)] | None = None
    quality: ImageQuality | None = None
    size: Name | None = None
    svg: SvgOptions | None = None


class LocalShellTool(Deferred):
    type: Literal["local_shell"]


# --- tool search, apply_patch ---------------------------------------------------------


class ToolSearchTool(Deferred):
    type: Literal["tool_search"]
    description: Text | None = None
    execution: Literal["server", "client"] | None = None
    parameters: JsonObject | None = None


class ApplyPatchTool(Deferred):
    type: Literal["apply_patch"]
    allowed_callers: Callers | None = None


# The hosted tool models by `type` (`namespace`, which holds function tools, is in responses.py).
HOSTED_TOOLS: dict[str, type[Strict]] = {
    "file_search": FileSearchTool,
    "computer": ComputerTool,
    "computer_use_preview": ComputerUsePreviewTool,
    "mcp": McpTool,
    "code_interpreter": CodeInterpreterTool,
    "programmatic_tool_calling": ProgrammaticToolCallingTool,
    "image_generation": ImageGenerationTool,
    "local_shell": LocalShellTool,
    "shell": ShellTool,
    "tool_search": ToolSearchTool,
    "apply_patch": ApplyPatchTool,
}


# --- tool_choice: the hosted tools a choice can name beyond ToolChoiceTypesParam ------------------


class McpToolChoice(Deferred):
    type: Literal["mcp"]
    server_label: Name
    name: Name | None = None


class ShellToolChoice(Deferred):
    type: Literal["shell"]


class ApplyPatchToolChoice(Deferred):
    type: Literal["apply_patch"]


class ProgrammaticToolChoice(Deferred):
    type: Literal["programmatic_tool_calling"]


# --- input items: hosted calls and their outputs, sent back ---------------------------------------

ItemId = Identifier


class DirectCaller(Deferred):
    type: Literal["direct"]


class ProgramCaller(Deferred):
    type: Literal["program"]
    caller_id: Identifier


Caller = Annotated[DirectCaller | ProgramCaller, Field(discriminator="type")]


class FileSearchResult(Deferred):
    attributes: (
        Annotated[
            dict[Name, Annotated[str, Field(max_length=512)] | float | bool],
            Field(max_length=MAX_CONTENT_PARTS),
        ]
        | None
    ) = None
    file_id: Identifier | None = None
    filename: Name | None = None
    score: float | None = None
    text: Text | None = None


class FileSearchCallItem(Deferred):
    type: Literal["file_search_call"]
    id: ItemId
    queries: Annotated[list[Text], Parts]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]
    results: Annotated[list[FileSearchResult], Parts] | None = None


class SafetyCheck(Deferred):
    id: Identifier
    code: Name | None = None
    message: Text | None = None


Keys = Annotated[list[Name], Field(max_length=MAX_CONTENT_PARTS)]


class Point(Deferred):
    x: Coordinate
    y: Coordinate


class ClickAction(Deferred):
    type: Literal["click"]
    button: Literal["left", "right", "wheel", "back", "forward"]
    x: Coordinate
    y: Coordinate
    keys: Keys | None = None


class DoubleClickAction(Deferred):
    type: Literal["double_click"]
    # Required but nullable in the SDK (ActionDoubleClick.keys).
    keys: Keys | None
    x: Coordinate
    y: Coordinate


class DragAction(Deferred):
    type: Literal["drag"]
    path: Annotated[list[Point], Field(min_length=1, max_length=MAX_CONTENT_PARTS)]
    keys: Keys | None = None


class KeypressAction(Deferred):
    type: Literal["keypress"]
    keys: Keys


class MoveAction(Deferred):
    type: Literal["move"]
    x: Coordinate
    y: Coordinate
    keys: Keys | None = None


class ScreenshotAction(Deferred):
    type: Literal["screenshot"]


class ScrollAction(Deferred):
    type: Literal["scroll"]
    scroll_x: Coordinate
    scroll_y: Coordinate
    x: Coordinate
    y: Coordinate
    keys: Keys | None = None


class TypeAction(Deferred):
    type: Literal["type"]
    text: Text


class WaitAction(Deferred):
    type: Literal["wait"]


ComputerAction = Annotated[
    ClickAction
    | DoubleClickAction
    | DragAction
    | KeypressAction
    | MoveAction
    | ScreenshotAction
    | ScrollAction
    | TypeAction
    | WaitAction,
    Field(discriminator="type"),
]


class ComputerCallItem(Deferred):
    type: Literal["computer_call"]
    id: ItemId
    call_id: Identifier
    pending_safety_checks: Annotated[list[SafetyCheck], Parts]
    status: CallStatus
    action: ComputerAction | None = None
    actions: Annotated[list[ComputerAction], Parts] | None = None


class ComputerScreenshot(Deferred):
    type: Literal["computer_screenshot"]
    file_id: Identifier | None = None
    image_url: Url | None = None


class ComputerCallOutputItem(Deferred):
    type: Literal["computer_call_output"]
    call_id: Identifier
    output: ComputerScreenshot
    id: ItemId | None = None
    acknowledged_safety_checks: Annotated[list[SafetyCheck], Parts] | None = None
    status: CallStatus | None = None


class SearchSource(Deferred):
    type: Literal["url"]
    url: Url


class SearchAction(Deferred):
    type: Literal["search"]
    queries: Annotated[list[Text], Parts] | None = None
    query: Text | None = None
    sources: Annotated[list[SearchSource], Parts] | None = None


class OpenPageAction(Deferred):
    type: Literal["open_page"]
    url: Url | None = None


class FindInPageAction(Deferred):
    type: Literal["find_in_page"]
    pattern: Text
    url: Url


class WebSearchCallItem(Deferred):
    type: Literal["web_search_call"]
    id: ItemId
    action: Annotated[SearchAction | OpenPageAction | FindInPageAction, Field(discriminator="type")]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]


class ModerationDetails(Deferred):
    categories: Names
    moderation_stage: Literal["input", "output", "unknown"]


class ImageGenerationError(Deferred):
    code: Name | None
    message: Text
    param: Name | None
    type: Name
    moderation_details: ModerationDetails | None = None


class SvgUsage(Deferred):
    input_tokens: Count
    model: Name
    output_tokens: Count
    reasoning_tokens: Count
    total_tokens: Count


class ImageGenerationCallItem(Deferred):
    type: Literal["image_generation_call"]
    id: ItemId
    result: Url | None
    status: Literal["in_progress", "completed", "generating", "failed"]
    action: ImageAction | None = None
    background: ImageBackground | None = None
    error: ImageGenerationError | None = None
    output_format: ImageFormat | None = None
    quality: ImageQuality | None = None
    revised_prompt: Text | None = None
    size: Name | None = None
    svg_usage: SvgUsage | None = None


class LogsOutput(Deferred):
    type: Literal["logs"]
    logs: Text


class ImageOutput(Deferred):
    type: Literal["image"]
    url: Url


class CodeInterpreterCallItem(Deferred):
    type: Literal["code_interpreter_call"]
    id: ItemId
    code: Text | None
    container_id: Identifier
    outputs: (
        Annotated[list[Annotated[LogsOutput | ImageOutput, Field(discriminator="type")]], Parts]
        | None
    )
    status: Literal["in_progress", "completed", "incomplete", "interpreting", "failed"]


class LocalShellAction(Deferred):
    type: Literal["exec"]
    command: Annotated[list[Text], Field(min_length=1, max_length=MAX_CONTENT_PARTS)]
    env: Headers
    timeout_ms: Count | None = None
    user: Name | None = None
    working_directory: Text | None = None


class LocalShellCallItem(Deferred):
    type: Literal["local_shell_call"]
    id: ItemId
    action: LocalShellAction
    call_id: Identifier
    status: CallStatus


class LocalShellCallOutputItem(Deferred):
    type: Literal["local_shell_call_output"]
    id: ItemId
    output: Text
    status: CallStatus | None = None


class ShellAction(Deferred):
    commands: Annotated[list[Text], Parts]
    max_output_length: Count | None = None
    timeout_ms: Count | None = None


class ShellCallItem(Deferred):
    type: Literal["shell_call"]
    action: ShellAction
    call_id: Identifier
    id: ItemId | None = None
    caller: Caller | None = None
    environment: (
        Annotated[LocalEnvironment | ContainerReference, Field(discriminator="type")] | None
    ) = None
    status: CallStatus | None = None


class ExitOutcome(Deferred):
    type: Literal["exit"]
    exit_code: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class TimeoutOutcome(Deferred):
    type: Literal["timeout"]


class ShellOutputChunk(Deferred):
    outcome: Annotated[ExitOutcome | TimeoutOutcome, Field(discriminator="type")]
    stderr: Text
    stdout: Text


class ShellCallOutputItem(Deferred):
    type: Literal["shell_call_output"]
    call_id: Identifier
    output: Annotated[list[ShellOutputChunk], Parts]
    id: ItemId | None = None
    caller: Caller | None = None
    max_output_length: Count | None = None
    status: CallStatus | None = None


class CreateFile(Deferred):
    type: Literal["create_file"]
    path: Text
    diff: Text


class DeleteFile(Deferred):
    type: Literal["delete_file"]
    path: Text


class UpdateFile(Deferred):
    type: Literal["update_file"]
    path: Text
    diff: Text


class ApplyPatchCallItem(Deferred):
    type: Literal["apply_patch_call"]
    call_id: Identifier
    operation: Annotated[CreateFile | DeleteFile | UpdateFile, Field(discriminator="type")]
    status: Literal["in_progress", "completed"]
    id: ItemId | None = None
    caller: Caller | None = None


class ApplyPatchCallOutputItem(Deferred):
    type: Literal["apply_patch_call_output"]
    call_id: Identifier
    status: Literal["completed", "failed"]
    id: ItemId | None = None
    caller: Caller | None = None
    output: Text | None = None


class McpListedTool(Deferred):
    name: Name
    input_schema: JsonObject
    annotations: JsonObject | None = None
    description: Text | None = None


class McpListToolsItem(Deferred):
    type: Literal["mcp_list_tools"]
    id: ItemId
    server_label: Name
    tools: Annotated[list[McpListedTool], Field(max_length=MAX_TOOLS * 8)]
    error: Text | None = None


class McpApprovalRequestItem(Deferred):
    type: Literal["mcp_approval_request"]
    id: ItemId
    arguments: Text
    name: Name
    server_label: Name


class McpApprovalResponseItem(Deferred):
    type: Literal["mcp_approval_response"]
    approval_request_id: Identifier
    approve: bool
    id: ItemId | None = None
    reason: Text | None = None


class McpProtocolError(Deferred):
    type: Literal["mcp_protocol_error"]
    code: int
    message: Text


class McpToolExecutionError(Deferred):
    type: Literal["mcp_tool_execution_error"]
    content: Any


class McpHttpError(Deferred):
    type: Literal["http_error"]
    code: int
    message: Text


class McpCallItem(Deferred):
    type: Literal["mcp_call"]
    id: ItemId
    arguments: Text
    name: Name
    server_label: Name
    approval_request_id: Identifier | None = None
    error: (
        Annotated[
            McpProtocolError | McpToolExecutionError | McpHttpError, Field(discriminator="type")
        ]
        | None
    ) = None
    output: Text | None = None
    status: Literal["in_progress", "completed", "incomplete", "calling", "failed"] | None = None


class ToolSearchCallItem(Deferred):
    type: Literal["tool_search_call"]
    arguments: Any
    id: ItemId | None = None
    call_id: Identifier | None = None
    execution: Literal["server", "client"] | None = None
    status: CallStatus | None = None


class ProgramItem(Deferred):
    type: Literal["program"]
    id: ItemId
    call_id: Identifier
    code: Text
    fingerprint: Identifier


class ProgramOutputItem(Deferred):
    type: Literal["program_output"]
    id: ItemId
    call_id: Identifier
    result: Text
    status: Literal["completed", "incomplete"]


# The hosted tools' input items by `type` (`tool_search_output`, which holds tools, is in
# responses.py).
HOSTED_ITEMS: dict[str, type[Strict]] = {
    "file_search_call": FileSearchCallItem,
    "computer_call": ComputerCallItem,
    "computer_call_output": ComputerCallOutputItem,
    "web_search_call": WebSearchCallItem,
    "image_generation_call": ImageGenerationCallItem,
    "code_interpreter_call": CodeInterpreterCallItem,
    "local_shell_call": LocalShellCallItem,
    "local_shell_call_output": LocalShellCallOutputItem,
    "shell_call": ShellCallItem,
    "shell_call_output": ShellCallOutputItem,
    "apply_patch_call": ApplyPatchCallItem,
    "apply_patch_call_output": ApplyPatchCallOutputItem,
    "mcp_list_tools": McpListToolsItem,
    "mcp_approval_request": McpApprovalRequestItem,
    "mcp_approval_response": McpApprovalResponseItem,
    "mcp_call": McpCallItem,
    "tool_search_call": ToolSearchCallItem,
    "program": ProgramItem,
    "program_output": ProgramOutputItem,
}
