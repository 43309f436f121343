"""The tool search calls and programs a caller sends back."""

from __future__ import annotations

from typing import Any, Literal

from airelay.core.models.common import Identifier, Text
from airelay.core.models.tools.base import CallStatus, Deferred, ItemId


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
