"""The computer calls a caller sends back, their actions and outputs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from airelay.core.limits import MAX_CONTENT_PARTS
from airelay.core.models.common import Identifier, Name, Text, Url
from airelay.core.models.tools.base import CallStatus, Coordinate, Deferred, ItemId, Parts


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
