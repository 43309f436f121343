"""The hosted tools a `tool_choice` can name beyond ToolChoiceTypesParam."""

from __future__ import annotations

from typing import Literal

from airelay.core.models.common import Name
from airelay.core.models.tools.base import Deferred


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
