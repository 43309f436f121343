"""Upstream faults on the local host (issue 4, rule 7): mid-stream failures and disconnects."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from typing import Any

import httpx
import openai
import pytest
from openai.types.responses import ResponseErrorEvent

from airelay.core import sse
from airelay.core.sse import Decoder, Event
from airelay.core.types import BackendResult, JsonResult, StreamResult
from airelay.core.upstream import upstream_error
from airelay.hosts.asgi import AsgiApp
from tests.client import CoreClient, asgi_request, asgi_sdk
from tests.fakes import FakeBackend, GatedStream, as_producer, failing, run

CHUNK = {
    "id": "chatcmpl-1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "gpt-5.4-mini",
    "choices": [
        {"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}
    ],
}
CREATED = {
    "type": "response.created",
    "sequence_number": 0,
    "response": {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "gpt-5.4-pro",
        "output": [],
        "status": "in_progress",
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    },
}


async def fail_after(*events: bytes) -> AsyncIterator[bytes]:
    """Yield `events`, then fail the way a broken upstream connection does."""
    for event in events:
        yield event
    raise ConnectionResetError("upstream went away")


def midway(first: int) -> FakeBackend:
    """Return a backend whose streams send `first` events and then fail."""

    def answer(model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> BackendResult:
        if "messages" in inputs:
            return StreamResult(as_producer(model, fail_after(*[sse.encode(CHUNK)] * first)))
        created = sse.encode(CREATED, event="response.created")
        return StreamResult(as_producer(model, fail_after(*[created] * first)))

    return FakeBackend(answer)


def app_with(backend: FakeBackend) -> AsgiApp:
    """Return the local host's ASGI app over `backend`."""
    return CoreClient(backend=backend).asgi_app()


def post_raw(app: AsgiApp, path: str, body: Mapping[str, Any]) -> httpx.Response:
    """POST `body` to `app` in process and read the whole answer."""
    return asgi_request(app, "POST", path, json=body)


def events_of(response: httpx.Response) -> list[Event]:
    """Decode the SSE events of a complete body; fail on a trailing partial event."""
    assert response.content.endswith(b"\n\n")
    decoder = Decoder()
    return decoder.decode(response.content)


# --- a stream that fails midway -------------------------------------------------------------


@pytest.mark.parametrize("first", [0, 1, 3])
def test_a_chat_stream_failing_midway_ends_with_an_error_data_event(
    first: int, caplog: pytest.LogCaptureFixture
) -> None:
    response = post_raw(
        app_with(midway(first)),
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": "x"}], "stream": True},
    )
    assert response.status_code == 200
    *chunks, last = events_of(response)
    assert [c.json() for c in chunks] == [CHUNK] * first
    assert last.event == "message"
    assert last.json() == {
        "error": {
            "message": "The stream failed midway.",
            "type": "server_error",
            "param": None,
            "code": "stream_failed",
        }
    }
    # The operator sees why; the caller does not.
    assert "upstream went away" in caplog.text
    assert b"upstream went away" not in response.content


@pytest.mark.parametrize("first", [0, 1, 3])
def test_a_responses_stream_failing_midway_ends_with_the_next_error_event(first: int) -> None:
    response = post_raw(app_with(midway(first)), "/v1/responses", {"input": "x", "stream": True})
    assert response.status_code == 200
    *sent, last = events_of(response)
    assert [e.event for e in sent] == ["response.created"] * first
    assert last.event == "error"
    assert last.json() == {
        "type": "error",
        "code": "stream_failed",
        "message": "The stream failed midway.",
        "param": None,
        "sequence_number": first,
    }


def test_sdk_raises_api_error_on_the_chat_error_event() -> None:
    received: list[str | None] = []

    async def go() -> None:
        async with asgi_sdk(app_with(midway(1))) as client:
            stream = await client.chat.completions.create(
                model="gpt-5.4-mini", messages=[{"role": "user", "content": "x"}], stream=True
            )
            async for chunk in stream:
                received.append(chunk.choices[0].delta.content)

    with pytest.raises(openai.APIError) as caught:
        run(go())
    assert received == ["Hel"]
    assert caught.value.message == "The stream failed midway."
    assert caught.value.code == "stream_failed"


def test_sdk_reads_the_responses_error_event_as_the_last_event() -> None:
    async def go() -> list[Any]:
        async with asgi_sdk(app_with(midway(1))) as client:
            stream = await client.responses.create(model="gpt-5.4-pro", input="x", stream=True)
            return [event async for event in stream]

    events = run(go())
    assert [e.type for e in events] == ["response.created", "error"]
    assert isinstance(events[-1], ResponseErrorEvent)
    assert events[-1].code == "stream_failed"
    assert events[-1].sequence_number == 1


def test_the_host_keeps_serving_after_a_stream_failed() -> None:
    calls = 0

    def answer(model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> BackendResult:
        nonlocal calls
        calls += 1
        if calls == 1:
            return StreamResult(fail_after(sse.encode(CHUNK)))
        return JsonResult({"object": "chat.completion", "choices": []})

    client = CoreClient(backend=FakeBackend(answer))
    app = client.asgi_app()
    body = {"messages": [{"role": "user", "content": "x"}]}
    post_raw(app, "/v1/chat/completions", {**body, "stream": True})
    second = post_raw(app, "/v1/chat/completions", body)
    assert second.status_code == 200
    assert second.json() == {"object": "chat.completion", "choices": []}
    assert [record["status"] for record in client.records] == [200, 200]


# --- failures before the stream starts ------------------------------------------------------


@pytest.mark.parametrize(
    ("upstream", "exception", "status"),
    [
        (429, openai.RateLimitError, 429),
        (504, openai.InternalServerError, 504),
        (524, openai.InternalServerError, 504),
        (503, openai.InternalServerError, 502),
    ],
)
def test_sdk_sees_upstream_failures_as_their_mapped_errors(
    upstream: int, exception: type[openai.APIStatusError], status: int
) -> None:
    async def go() -> None:
        async with asgi_sdk(app_with(failing(upstream_error(upstream, "try later")))) as client:
            await client.responses.create(model="gpt-5.4-pro", input="x", stream=True)

    with pytest.raises(exception) as caught:
        run(go())
    assert caught.value.status_code == status
    assert ("retry-after" in caught.value.response.headers) == (status == 429)


# --- a client that goes away ----------------------------------------------------------------

Message = MutableMapping[str, Any]


def scope(path: str) -> dict[str, Any]:
    """Return an ASGI HTTP scope for a JSON POST."""
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-type", b"application/json")],
        "query_string": b"",
        "client": ("127.0.0.1", 50_000),
    }


def client_receive(body: bytes, leaves: asyncio.Event) -> Callable[[], Awaitable[Message]]:
    """Return an ASGI `receive` that delivers `body`, then disconnects once `leaves` is set."""
    body_read = False

    async def receive() -> Message:
        nonlocal body_read
        if not body_read:
            body_read = True
            return {"type": "http.request", "body": body, "more_body": False}
        await leaves.wait()
        return {"type": "http.disconnect"}

    return receive


async def serve_then_disconnect(app: AsgiApp, path: str, body: bytes) -> list[Message]:
    """Drive `app` like a server whose client leaves right after the first body chunk."""
    sent: list[Message] = []
    first_chunk = asyncio.Event()
    receive = client_receive(body, first_chunk)

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            first_chunk.set()

    # A guard against hanging should the host never notice the disconnect, not a timing check.
    await asyncio.wait_for(app(scope(path), receive, send), timeout=30)
    return sent


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}], "stream": True}),
        ("/v1/responses", {"input": "x", "stream": True}),
    ],
)
def test_a_client_that_disconnects_stops_the_upstream_work(path: str, body: dict[str, Any]) -> None:
    # The stream waits forever after its first event: only the disconnect can end it.
    stream = GatedStream(sse.encode(CHUNK), [sse.encode("[DONE]")])
    backend = FakeBackend(lambda model, inputs, options: StreamResult(stream))
    sent = run(serve_then_disconnect(app_with(backend), path, json.dumps(body).encode()))
    assert stream.closed
    assert stream.aclose_called
    assert not stream.finished
    assert stream.produced == [sse.encode(CHUNK)]
    bodies = [m.get("body") for m in sent if m["type"] == "http.response.body"]
    assert bodies == [sse.encode(CHUNK)]


def test_a_finished_stream_is_closed_too() -> None:
    stream = GatedStream(sse.encode(CHUNK), [sse.encode("[DONE]")])
    stream.gate.set()
    backend = FakeBackend(lambda model, inputs, options: StreamResult(stream))
    response = post_raw(
        app_with(backend),
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": "x"}], "stream": True},
    )
    assert [e.data for e in events_of(response)][-1] == "[DONE]"
    assert stream.finished
    assert stream.aclose_called


def test_a_stream_is_closed_even_when_sending_to_the_client_fails() -> None:
    stream = GatedStream(sse.encode(CHUNK), [sse.encode("[DONE]")])
    backend = FakeBackend(lambda model, inputs, options: StreamResult(stream))
    app = app_with(backend)
    body = json.dumps({"messages": [{"role": "user", "content": "x"}], "stream": True}).encode()
    # The client never leaves: only the failed send can end the stream.
    receive = client_receive(body, asyncio.Event())

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        run(asyncio.wait_for(app(scope("/v1/chat/completions"), receive, send), timeout=30))
    assert stream.aclose_called
    assert stream.closed
