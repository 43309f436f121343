"""The MCP listings, approvals and calls a caller sends back."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from airelay.core.limits import MAX_TOOLS
from airelay.core.models.common import Identifier, JsonObject, Name, Text
from airelay.core.models.tools.base import Deferred, ItemId


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
