"""The hosted tools' entries in `tools`, as `openai.types.responses.tool_param` types them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from airelay.core.limits import MAX_CONTENT_PARTS
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
from airelay.core.models.tools.base import Deferred, Headers, Ids, Names, Parts

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
