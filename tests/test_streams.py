"""Streams end their own failures with an error event in their own format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from airelay.backends.local.chat_completion import ChatCompletion
from airelay.backends.local.output_items import Message
from airelay.backends.local.response_object import ResponseObject
from airelay.core import sse
from airelay.core.streams import chat_stream_error, ending_in_error, responses_stream_error
from tests.fakes import GatedStream, run
from tests.local_model_support import stream_chunks


async def fails_after(*events: bytes) -> AsyncIterator[bytes]:
    """Yield `events`, then fail like a dropped upstream connection."""
    for event in events:
        yield event
    raise ConnectionResetError("upstream went away")


async def collect(stream: AsyncIterator[bytes]) -> list[bytes]:
    """Read `stream` to its end."""
    return [chunk async for chunk in stream]


def test_a_failing_stream_ends_with_its_error_event_counting_what_was_sent() -> None:
    chunks = run(collect(ending_in_error(fails_after(b"a", b"b"), responses_stream_error)))
    assert chunks[:2] == [b"a", b"b"]
    [event] = sse.Decoder().decode(chunks[2])
    assert event.event == "error"
    assert event.json()["sequence_number"] == 2
    assert event.json()["code"] == "stream_failed"


def test_a_chat_stream_failure_is_a_data_event_with_an_error_object() -> None:
    chunks = run(collect(ending_in_error(fails_after(), chat_stream_error)))
    [event] = sse.Decoder().decode(chunks[0])
    assert event.json()["error"]["code"] == "stream_failed"


def test_a_stream_that_does_not_fail_passes_through_unchanged() -> None:
    async def fine() -> AsyncIterator[bytes]:
        yield b"one"
        yield b"two"

    assert run(collect(ending_in_error(fine(), chat_stream_error))) == [b"one", b"two"]


def test_closing_the_wrapper_closes_the_producer() -> None:
    inner = GatedStream(b"first", [b"never"])

    async def take_one_then_close() -> bytes:
        wrapped = ending_in_error(inner, chat_stream_error)
        first = await anext(wrapped)
        await wrapped.aclose()
        return first

    assert run(take_one_then_close()) == b"first"
    assert inner.closed
    assert not inner.finished


def broken(*args: object) -> Any:
    raise RuntimeError("the model broke")


def local_events(model: str, body: dict[str, Any]) -> list[sse.Event]:
    """Return the events of the local model's stream for `body`."""
    return [event for chunk in stream_chunks(model, body) for event in sse.Decoder().decode(chunk)]


def test_the_local_models_chat_stream_ends_its_own_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    # The finish reason is read after the tokens are out: the failure comes midway.
    monkeypatch.setattr(ChatCompletion, "finish_reason", broken)
    body = {"messages": [{"role": "user", "content": "hi"}], "stream": True}
    events = local_events("openai/gpt-5.4-mini", body)
    assert events[1].json()["choices"][0]["delta"]["content"]
    assert events[-1].json()["error"]["code"] == "stream_failed"
    assert all(event.data != "[DONE]" for event in events)


def test_the_local_models_responses_stream_ends_its_own_failure_counting_its_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Usage is read for the last event only.
    monkeypatch.setattr(ResponseObject, "usage", broken)
    body = {"input": "hi", "stream": True}
    events = local_events("openai/gpt-5.4-pro", body)
    assert events[-2].event == "response.output_item.done"
    assert events[-1].event == "error"
    assert events[-1].json()["sequence_number"] == len(events) - 1


def test_an_event_that_fails_to_encode_leaves_no_gap_in_the_sequence_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Message.item

    def unencodable(self: Message, final: bool) -> dict[str, Any]:
        # A set is no JSON value: the encoding of the event that carries it fails.
        return {"bad": {1, 2}} if final else original(self, final)

    monkeypatch.setattr(Message, "item", unencodable)
    events = local_events("openai/gpt-5.4-pro", {"input": "hi", "stream": True})
    assert events[-1].event == "error"
    numbers = [event.json()["sequence_number"] for event in events]
    assert numbers == list(range(len(events)))
