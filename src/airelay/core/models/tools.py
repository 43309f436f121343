"""The hosted tools of the Responses API and their items, as the pinned `openai` SDK types them.

Tools: `openai.types.responses.tool_param`; items: `response_input_param` (what a caller sends
back of a previous answer: calls, their outputs, MCP listings and approvals).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

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

Names = Annotated[list[Name], Field(max_length=MAX_TOOLS)]
Ids = Annotated[list[Identifier], Field(max_length=MAX_TOOLS)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
Coordinate = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Headers = Annotated[dict[Name, Text], Field(max_length=MAX_TOOLS)]
CallStatus = Literal["in_progress", "completed", "incomplete"]


Parts = Field(max_length=MAX_CONTENT_PARTS)


# --- file_search ----------------------------------------------------------------------------------


class ComparisonFilter(Strict):
    key: Name
    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    value: Text | float | bool | Annotated[list[Text | float], Field(max_length=MAX_CONTENT_PARTS)]


class CompoundFilter(Strict):
    type: Literal["and", "or"]
    # Nesting is bounded by the body's depth limit (core/jsonio.py).
    filters: Annotated[
        list[Annotated[ComparisonFilter | CompoundFilter, Field(union_mode="left_to_right")]],
        Field(min_length=1, max_length=MAX_CONTENT_PARTS),
    ]


class HybridSearch(Strict):
    embedding_weight: float
    text_weight: float


class RankingOptions(Strict):
    hybrid_search: HybridSearch | None = None
    ranker: Literal["auto", "default-2024-11-15"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class FileSearchTool(Strict):
    type: Literal["file_search"]
    vector_store_ids: Ids
    filters: (
        Annotated[ComparisonFilter | CompoundFilter, Field(union_mode="left_to_right")] | None
    ) = None
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: RankingOptions | None = None


# --- computer use ---------------------------------------------------------------------------------


class ComputerTool(Strict):
    type: Literal["computer"]


class ComputerUsePreviewTool(Strict):
    type: Literal["computer_use_preview"]
    display_width: Annotated[int, Field(ge=1, le=65_535)]
    display_height: Annotated[int, Field(ge=1, le=65_535)]
    environment: Literal["windows", "mac", "linux", "ubuntu", "browser"]


# --- MCP ------------------------------------------------------------------------------------------


class McpToolFilter(Strict):
    read_only: bool | None = None
    tool_names: Names | None = None


class McpApprovalFilter(Strict):
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


class McpTool(Strict):
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


class NetworkDisabled(Strict):
    type: Literal["disabled"]


class DomainSecret(Strict):
    domain: Name
    name: Name
    value: Text


class NetworkAllowlist(Strict):
    type: Literal["allowlist"]
    allowed_domains: Names
    domain_secrets: Annotated[list[DomainSecret], Parts] | None = None


NetworkPolicy = Annotated[NetworkDisabled | NetworkAllowlist, Field(discriminator="type")]


class CodeInterpreterAuto(Strict):
    type: Literal["auto"]
    file_ids: Ids | None = None
    memory_limit: MemoryLimit | None = None
    network_policy: NetworkPolicy | None = None


class CodeInterpreterTool(Strict):
    type: Literal["code_interpreter"]
    container: Identifier | CodeInterpreterAuto
    allowed_callers: Callers | None = None


class ProgrammaticToolCallingTool(Strict):
    type: Literal["programmatic_tool_calling"]


class SkillReference(Strict):
    type: Literal["skill_reference"]
    skill_id: Identifier
    version: Name | None = None


class InlineSkillSource(Strict):
    type: Literal["base64"]
    data: Url
    media_type: Literal["application/zip"]


class InlineSkill(Strict):
    type: Literal["inline"]
    name: Name
    description: Text
    source: InlineSkillSource


class LocalSkill(Strict):
    name: Name
    description: Text
    path: Text


class ContainerAuto(Strict):
    type: Literal["container_auto"]
    file_ids: Ids | None = None
    memory_limit: MemoryLimit | None = None
    network_policy: NetworkPolicy | None = None
    skills: (
        Annotated[list[Annotated[SkillReference | InlineSkill, Field(discriminator="type")]], Parts]
        | None
    ) = None


class LocalEnvironment(Strict):
    type: Literal["local"]
    skills: Annotated[list[LocalSkill], Parts] | None = None


class ContainerReference(Strict):
    type: Literal["container_reference"]
    container_id: Identifier


class ShellTool(Strict):
    type: Literal["shell"]
    allowed_callers: Callers | None = None
    environment: (
        Annotated[
            ContainerAuto | LocalEnvironment | ContainerReference, Field(discriminator="type")
        ]
        | None
    ) = None


# --- image generation -----------------------------------------------------------------------------


class ImageMask(Strict):
    file_id: Identifier | None = None
    image_url: Url | None = None


class SvgReasoning(Strict):
    effort: Effort | None = None


class SvgOptions(Strict):
    model: Name | None = None
    reasoning: SvgReasoning | None = None


class ImageGenerationTool(Strict):
    type: Literal["image_generation"]
    action: Literal["generate", "edit", "auto"] | None = None
    background: Literal["transparent", "opaque", "auto"] | None = None
    complexity: Literal["low", "medium", "high"] | None = None
    frame_count: Annotated[int, Field(ge=1, le=1000)] | None = None
    frame_duration_ms: Annotated[int, Field(ge=0, le=60_000)] | None = None
    input_fidelity: Literal["high", "low"] | None = None
    input_image_mask: ImageMask | None = None
    model: Name | None = None
    moderation: Literal["auto", "low"] | None = None
    output_compression: Annotated[int, Field(ge=0, le=100)] | None = None
    output_format: Literal["png", "webp", "jpeg", "gif", "svg"] | None = None
    partial_images: Annotated[int, Field(ge=0, le=3)] | None = None
    quality: Literal["low", "medium", "high", "xhigh", "max", "auto"] | None = None
    size: Name | None = None
    svg: SvgOptions | None = None


class LocalShellTool(Strict):
    type: Literal["local_shell"]


# --- tool search, apply_patch ---------------------------------------------------------


class ToolSearchTool(Strict):
    type: Literal["tool_search"]
    description: Text | None = None
    execution: Literal["server", "client"] | None = None
    parameters: JsonObject | None = None


class ApplyPatchTool(Strict):
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


class McpToolChoice(Strict):
    type: Literal["mcp"]
    server_label: Name
    name: Name | None = None


class ShellToolChoice(Strict):
    type: Literal["shell"]


class ApplyPatchToolChoice(Strict):
    type: Literal["apply_patch"]


class ProgrammaticToolChoice(Strict):
    type: Literal["programmatic_tool_calling"]


# --- input items: hosted calls and their outputs, sent back ---------------------------------------

ItemId = Identifier


class DirectCaller(Strict):
    type: Literal["direct"]


class ProgramCaller(Strict):
    type: Literal["program"]
    caller_id: Identifier


Caller = Annotated[DirectCaller | ProgramCaller, Field(discriminator="type")]


class FileSearchResult(Strict):
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


class FileSearchCallItem(Strict):
    type: Literal["file_search_call"]
    id: ItemId
    queries: Annotated[list[Text], Parts]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]
    results: Annotated[list[FileSearchResult], Parts] | None = None


class SafetyCheck(Strict):
    id: Identifier
    code: Name | None = None
    message: Text | None = None


Keys = Annotated[list[Name], Field(max_length=MAX_CONTENT_PARTS)]


class Point(Strict):
    x: Coordinate
    y: Coordinate


class ClickAction(Strict):
    type: Literal["click"]
    button: Literal["left", "right", "wheel", "back", "forward"]
    x: Coordinate
    y: Coordinate
    keys: Keys | None = None


class DoubleClickAction(Strict):
    type: Literal["double_click"]
    # Required but nullable in the SDK (ActionDoubleClick.keys).
    keys: Keys | None
    x: Coordinate
    y: Coordinate


class DragAction(Strict):
    type: Literal["drag"]
    path: Annotated[list[Point], Field(min_length=1, max_length=MAX_CONTENT_PARTS)]
    keys: Keys | None = None


class KeypressAction(Strict):
    type: Literal["keypress"]
    keys: Keys


class MoveAction(Strict):
    type: Literal["move"]
    x: Coordinate
    y: Coordinate
    keys: Keys | None = None


class ScreenshotAction(Strict):
    type: Literal["screenshot"]


class ScrollAction(Strict):
    type: Literal["scroll"]
    scroll_x: Coordinate
    scroll_y: Coordinate
    x: Coordinate
    y: Coordinate
    keys: Keys | None = None


class TypeAction(Strict):
    type: Literal["type"]
    text: Text


class WaitAction(Strict):
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


class ComputerCallItem(Strict):
    type: Literal["computer_call"]
    id: ItemId
    call_id: Identifier
    pending_safety_checks: Annotated[list[SafetyCheck], Parts]
    status: CallStatus
    action: ComputerAction | None = None
    actions: Annotated[list[ComputerAction], Parts] | None = None


class ComputerScreenshot(Strict):
    type: Literal["computer_screenshot"]
    file_id: Identifier | None = None
    image_url: Url | None = None


class ComputerCallOutputItem(Strict):
    type: Literal["computer_call_output"]
    call_id: Identifier
    output: ComputerScreenshot
    id: ItemId | None = None
    acknowledged_safety_checks: Annotated[list[SafetyCheck], Parts] | None = None
    status: CallStatus | None = None


class SearchSource(Strict):
    type: Literal["url"]
    url: Url


class SearchAction(Strict):
    type: Literal["search"]
    queries: Annotated[list[Text], Parts] | None = None
    query: Text | None = None
    sources: Annotated[list[SearchSource], Parts] | None = None


class OpenPageAction(Strict):
    type: Literal["open_page"]
    url: Url | None = None


class FindInPageAction(Strict):
    type: Literal["find_in_page"]
    pattern: Text
    url: Url


class WebSearchCallItem(Strict):
    type: Literal["web_search_call"]
    id: ItemId
    action: Annotated[SearchAction | OpenPageAction | FindInPageAction, Field(discriminator="type")]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]


class ModerationDetails(Strict):
    categories: Names
    moderation_stage: Literal["input", "output", "unknown"]


class ImageGenerationError(Strict):
    code: Name | None
    message: Text
    param: Name | None
    type: Name
    moderation_details: ModerationDetails | None = None


class SvgUsage(Strict):
    input_tokens: Count
    model: Name
    output_tokens: Count
    reasoning_tokens: Count
    total_tokens: Count


class ImageGenerationCallItem(Strict):
    type: Literal["image_generation_call"]
    id: ItemId
    result: Url | None
    status: Literal["in_progress", "completed", "generating", "failed"]
    action: Literal["generate", "edit", "auto"] | None = None
    background: Literal["transparent", "opaque", "auto"] | None = None
    error: ImageGenerationError | None = None
    output_format: Literal["png", "webp", "jpeg", "gif", "svg"] | None = None
    quality: Literal["low", "medium", "high", "xhigh", "max", "auto"] | None = None
    revised_prompt: Text | None = None
    size: Name | None = None
    svg_usage: SvgUsage | None = None


class LogsOutput(Strict):
    type: Literal["logs"]
    logs: Text


class ImageOutput(Strict):
    type: Literal["image"]
    url: Url


class CodeInterpreterCallItem(Strict):
    type: Literal["code_interpreter_call"]
    id: ItemId
    code: Text | None
    container_id: Identifier
    outputs: (
        Annotated[list[Annotated[LogsOutput | ImageOutput, Field(discriminator="type")]], Parts]
        | None
    )
    status: Literal["in_progress", "completed", "incomplete", "interpreting", "failed"]


class LocalShellAction(Strict):
    type: Literal["exec"]
    command: Annotated[list[Text], Field(min_length=1, max_length=MAX_CONTENT_PARTS)]
    env: Headers
    timeout_ms: Count | None = None
    user: Name | None = None
    working_directory: Text | None = None


class LocalShellCallItem(Strict):
    type: Literal["local_shell_call"]
    id: ItemId
    action: LocalShellAction
    call_id: Identifier
    status: CallStatus


class LocalShellCallOutputItem(Strict):
    type: Literal["local_shell_call_output"]
    id: ItemId
    output: Text
    status: CallStatus | None = None


class ShellAction(Strict):
    commands: Annotated[list[Text], Parts]
    max_output_length: Count | None = None
    timeout_ms: Count | None = None


class ShellCallItem(Strict):
    type: Literal["shell_call"]
    action: ShellAction
    call_id: Identifier
    id: ItemId | None = None
    caller: Caller | None = None
    environment: (
        Annotated[LocalEnvironment | ContainerReference, Field(discriminator="type")] | None
    ) = None
    status: CallStatus | None = None


class ExitOutcome(Strict):
    type: Literal["exit"]
    exit_code: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class TimeoutOutcome(Strict):
    type: Literal["timeout"]


class ShellOutputChunk(Strict):
    outcome: Annotated[ExitOutcome | TimeoutOutcome, Field(discriminator="type")]
    stderr: Text
    stdout: Text


class ShellCallOutputItem(Strict):
    type: Literal["shell_call_output"]
    call_id: Identifier
    output: Annotated[list[ShellOutputChunk], Parts]
    id: ItemId | None = None
    caller: Caller | None = None
    max_output_length: Count | None = None
    status: CallStatus | None = None


class CreateFile(Strict):
    type: Literal["create_file"]
    path: Text
    diff: Text


class DeleteFile(Strict):
    type: Literal["delete_file"]
    path: Text


class UpdateFile(Strict):
    type: Literal["update_file"]
    path: Text
    diff: Text


class ApplyPatchCallItem(Strict):
    type: Literal["apply_patch_call"]
    call_id: Identifier
    operation: Annotated[CreateFile | DeleteFile | UpdateFile, Field(discriminator="type")]
    status: Literal["in_progress", "completed"]
    id: ItemId | None = None
    caller: Caller | None = None


class ApplyPatchCallOutputItem(Strict):
    type: Literal["apply_patch_call_output"]
    call_id: Identifier
    status: Literal["completed", "failed"]
    id: ItemId | None = None
    caller: Caller | None = None
    output: Text | None = None


class McpListedTool(Strict):
    name: Name
    input_schema: JsonObject
    annotations: JsonObject | None = None
    description: Text | None = None


class McpListToolsItem(Strict):
    type: Literal["mcp_list_tools"]
    id: ItemId
    server_label: Name
    tools: Annotated[list[McpListedTool], Field(max_length=MAX_TOOLS * 8)]
    error: Text | None = None


class McpApprovalRequestItem(Strict):
    type: Literal["mcp_approval_request"]
    id: ItemId
    arguments: Text
    name: Name
    server_label: Name


class McpApprovalResponseItem(Strict):
    type: Literal["mcp_approval_response"]
    approval_request_id: Identifier
    approve: bool
    id: ItemId | None = None
    reason: Text | None = None


class McpProtocolError(Strict):
    type: Literal["mcp_protocol_error"]
    code: int
    message: Text


class McpToolExecutionError(Strict):
    type: Literal["mcp_tool_execution_error"]
    content: Any


class McpHttpError(Strict):
    type: Literal["http_error"]
    code: int
    message: Text


class McpCallItem(Strict):
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


class ToolSearchCallItem(Strict):
    type: Literal["tool_search_call"]
    arguments: Any
    id: ItemId | None = None
    call_id: Identifier | None = None
    execution: Literal["server", "client"] | None = None
    status: CallStatus | None = None


class ProgramItem(Strict):
    type: Literal["program"]
    id: ItemId
    call_id: Identifier
    code: Text
    fingerprint: Identifier


class ProgramOutputItem(Strict):
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
