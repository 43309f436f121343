"""The output items of a Responses answer: each kind's object and the events that stream it.

A stream sends each item as `response.output_item.added`, the events of its kind (an opening,
a delta per token, a closing), then `response.output_item.done`. Another kind (a hosted
tool's call: code_interpreter, web_search, file_search, image_generation, mcp) is one more
class with these four methods, in a module of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from airelay.backends.local.hosted import Step, annotation_events
from airelay.backends.local.template import EventTemplate, slot

if TYPE_CHECKING:
    from airelay.backends.local.response_object import ResponseObject

# Encode the next event of the stream, numbered: `emit(kind, **fields)`.
Emit = Callable[..., bytes]


class OutputItem(Protocol):
    """An item of a response's `output`, and how a stream sends it."""

    def item(self, final: bool) -> dict[str, Any]:
        """Return the item, in progress or finished."""
        ...

    def opening(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield the events between the item's `added` and its first delta."""
        ...

    def delta(self, index: int) -> EventTemplate | None:
        """Return the template of a token's event, number then token, if the item has any."""
        ...

    def closing(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield the events between the item's last delta and its `done`."""
        ...


def _per_token(kind: str, **fields: Any) -> EventTemplate:
    """Return a token event's template: its number and then its token are filled in."""
    payload = {"type": kind, "sequence_number": slot("sequence_number"), **fields}
    return EventTemplate(payload, event=kind)


class Reasoning:
    """The reasoning item: empty, as the recorded gpt-5.4-pro answers' are."""

    def __init__(self, response: ResponseObject) -> None:
        self.id = response.reasoning_id

    def item(self, final: bool) -> dict[str, Any]:
        """Return the item, the same in progress and finished."""
        return {"id": self.id, "summary": [], "type": "reasoning"}

    def opening(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield no event."""
        return iter(())

    def delta(self, index: int) -> EventTemplate | None:
        """Return None: no token is streamed."""
        return None

    closing = opening


class Message:
    """The assistant's message: one output_text part, streamed token by token."""

    def __init__(self, response: ResponseObject) -> None:
        self.response = response

    def item(self, final: bool) -> dict[str, Any]:
        """Return the message, empty while in progress."""
        turn = self.response.turn if final else None
        status = "in_progress" if turn is None else "incomplete" if turn.truncated else "completed"
        notes = self.response.annotations() if turn is not None else []
        return {
            "content": [] if turn is None else [text_part(turn.text, notes)],
            "id": self.response.message_id,
            "phase": "final_answer",
            "role": "assistant",
            "status": status,
            "type": "message",
        }

    def _where(self, index: int) -> dict[str, Any]:
        return {"item_id": self.response.message_id, "output_index": index, "content_index": 0}

    def opening(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield the empty text part's `added`."""
        yield emit("response.content_part.added", **self._where(index), part=text_part(""))

    def delta(self, index: int) -> EventTemplate | None:
        """Return the template of a text delta."""
        where = self._where(index)
        return _per_token("response.output_text.delta", **where, delta=slot("token"), logprobs=[])

    def closing(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield the citations' `added`, the whole text's `done` and the finished part's `done`."""
        where, text = self._where(index), self.response.turn.text
        notes = self.response.annotations()
        for note in annotation_events(self.response.message_id, index, notes):
            yield _emit_event(emit, note)
        yield emit("response.output_text.done", **where, text=text, logprobs=[])
        yield emit("response.content_part.done", **where, part=text_part(text, notes))


class FunctionCall:
    """A call of a function tool, its arguments streamed token by token."""

    def __init__(self, response: ResponseObject) -> None:
        self.response = response

    def item(self, final: bool) -> dict[str, Any]:
        """Return the call, without arguments while in progress."""
        response = self.response
        return {
            "arguments": response.turn.text if final else "",
            "call_id": response.call_id,
            "id": response.call_item_id,
            "name": response.call,
            "status": "completed" if final else "in_progress",
            "type": "function_call",
        }

    def _where(self, index: int) -> dict[str, Any]:
        return {"item_id": self.response.call_item_id, "output_index": index}

    def opening(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield no event."""
        return iter(())

    def delta(self, index: int) -> EventTemplate | None:
        """Return the template of an arguments delta."""
        where = self._where(index)
        return _per_token("response.function_call_arguments.delta", **where, delta=slot("token"))

    def closing(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield the whole arguments' `done`."""
        arguments = self.response.turn.text
        yield emit(
            "response.function_call_arguments.done", **self._where(index), arguments=arguments
        )


class HostedItem:
    """An item of a hosted tool (the hosted package): its own events between added and done."""

    def __init__(self, step: Step) -> None:
        self.step = step

    def item(self, final: bool) -> dict[str, Any]:
        """Return the item, as added or as done."""
        return self.step.done if final else self.step.added

    def opening(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield the tool's own events (in progress, code or arguments deltas, completed)."""
        for event in self.step.events:
            yield _emit_event(emit, event, output_index=index)

    def delta(self, index: int) -> EventTemplate | None:
        """Return None: the tool's deltas are among its own events."""
        return None

    def closing(self, emit: Emit, index: int) -> Iterator[bytes]:
        """Yield no event."""
        return iter(())


def _emit_event(emit: Emit, event: dict[str, Any], **extra: Any) -> bytes:
    """Encode a built event (its `type` among its fields) as the stream's next one."""
    fields = {key: value for key, value in event.items() if key != "type"}
    return emit(event["type"], **fields, **extra)


def text_part(text: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return an output_text content part."""
    return {"annotations": annotations or [], "logprobs": [], "text": text, "type": "output_text"}
