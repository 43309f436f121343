"""The local host over in-process HTTP: httpx's ASGITransport, and the ASGI app driven by hand.

httpx's ASGITransport collects the whole body before it returns a response, so it cannot show
when chunks leave the app; the streaming tests drive the app with their own receive and send.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest

from airelay.core.sse import Decoder, Event
from airelay.core.types import JsonResult, StreamResult
from airelay.hosts.asgi import AsgiApp, Message, Scope
from airelay.hosts.local import build_app
from airelay.hosts.static import App
from tests.client import CoreClient, asgi_request, asgi_sdk
from tests.fakes import FakeBackend, GatedStream, answering, as_producer, run

CHAT = {"messages": [{"role": "user", "content": "Tell me about the sea"}]}
# Guards against a host that holds chunks back: such a host hangs the test, and this turns
# the hang into a failure. It is never waited out when the host behaves.
HANG = 10.0


def quiet_app(env: dict[str, str] | None = None) -> App:
    """Return `airelay dev`'s app, its log line dropped."""
    return build_app(env or {}, log=lambda line: None)


def request(method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Send one request in-process and read the whole answer."""
    return asgi_request(quiet_app(), method, path, **kwargs)


def sse_events(response: httpx.Response) -> list[Event]:
    """Decode a response body as server-sent events."""
    decoder = Decoder()
    return decoder.decode(response.content) + decoder.flush()


# --- plain requests -----------------------------------------------------------------------------


def test_a_chat_completion_over_http() -> None:
    response = request("POST", "/v1/chat/completions", json=CHAT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    data = response.json()
    assert data["object"] == "chat.completion"
    assert "Tell me about the sea" in data["choices"][0]["message"]["content"]


def test_a_response_over_http() -> None:
    response = request("POST", "/v1/responses", json={"input": "Hello there"})
    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_a_chat_stream_over_http_is_sse_ending_in_done() -> None:
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    response = request("POST", "/v1/chat/completions", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    # Either would make proxies buffer the stream.
    assert "content-length" not in response.headers
    assert "content-encoding" not in response.headers
    events = sse_events(response)
    assert events[-1].data == "[DONE]"
    assert events[-2].json()["usage"]["total_tokens"] > 0


def test_a_responses_stream_over_http_numbers_its_events() -> None:
    response = request("POST", "/v1/responses", json={"input": "Hello there", "stream": True})
    events = sse_events(response)
    assert events[0].event == "response.created"
    assert events[-1].event == "response.completed"
    assert [e.json()["sequence_number"] for e in events] == list(range(len(events)))


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"{nope", "application/json", 400, "invalid_json"),
        (b"[1]", "application/json", 400, "invalid_json"),
        (b"{}", "text/plain", 415, "unsupported_media_type"),
        (
            b'{"messages": [{"role": "user", "content": "x"}], "foo": 1}',
            "application/json",
            400,
            "unknown_parameter",
        ),
    ],
)
def test_a_bad_body_over_http_is_a_clear_error(
    content: bytes, content_type: str, status: int, code: str
) -> None:
    response = request(
        "POST", "/v1/chat/completions", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_wrong_method_over_http_is_405_with_allow() -> None:
    response = request("GET", "/v1/responses")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, OPTIONS"


def test_a_bad_setting_over_http_is_a_500_naming_it() -> None:
    app = quiet_app({"AI_GATEWAY_CACHE_TTL": "5"})
    response = asgi_request(app, "POST", "/v1/chat/completions", json=CHAT)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "misconfigured"
    assert "AI_GATEWAY_CACHE_TTL" in response.json()["error"]["message"]


def test_head_sends_the_length_a_get_would_or_none() -> None:
    # RFC 9110 8.6: a HEAD's content-length, if any, must be the one a GET would send.
    get, head = request("GET", "/health"), request("HEAD", "/health")
    assert head.content == b""
    assert head.headers.get("content-length") in (None, get.headers["content-length"])


# --- the official openai SDK, in process ---------------------------------------------------------


def test_the_openai_sdk_reads_chat_completions_and_their_stream() -> None:
    async def talk() -> tuple[str | None, str]:
        async with asgi_sdk(quiet_app()) as api:
            whole = await api.chat.completions.create(
                model="gpt-5.4-mini", messages=[{"role": "user", "content": "hi there"}]
            )
            stream = await api.chat.completions.create(
                model="gpt-5.4-mini",
                messages=[{"role": "user", "content": "hi there"}],
                stream=True,
            )
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            return whole.choices[0].message.content, text

    whole, streamed = run(talk())
    assert whole == streamed
    assert whole is not None
    assert "hi there" in whole


def test_the_openai_sdk_reads_responses_and_their_stream() -> None:
    async def talk() -> tuple[str, list[str]]:
        async with asgi_sdk(quiet_app()) as api:
            whole = await api.responses.create(model="openai/gpt-5.4-pro", input="hi there")
            stream = await api.responses.create(
                model="openai/gpt-5.4-pro", input="hi there", stream=True
            )
            kinds: list[str] = [event.type async for event in stream]
            return whole.output_text, kinds

    text, kinds = run(talk())
    assert "hi there" in text
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"


def test_the_openai_sdk_raises_its_own_error_class_for_relay_errors() -> None:
    async def talk() -> None:
        async with asgi_sdk(quiet_app()) as api:
            await api.responses.create(model="openai/gpt-5.4-pro", input="x", temperature=3)

    with pytest.raises(openai.BadRequestError) as caught:
        run(talk())
    assert caught.value.param == "temperature"


# --- streaming, driven by hand --------------------------------------------------------------------

ASGI_SCOPE: Scope = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "POST",
    "path": "/v1/chat/completions",
    "query_string": b"",
    "headers": [(b"content-type", b"application/json")],
    "client": ("127.0.0.1", 50000),
}


def streaming_app(stream: object) -> tuple[AsgiApp, FakeBackend]:
    """Return the ASGI host over the core, with a backend that answers `stream`."""
    client = CoreClient(backend=answering(StreamResult(stream)))
    return client.asgi_app(), client.backend


def request_body() -> Message:
    """Return the one `http.request` message of a streamed chat call."""
    return {"type": "http.request", "body": json.dumps({**CHAT, "stream": True}).encode()}


async def finishes(app_call: Awaitable[None]) -> None:
    """Await an ASGI app call; fail, rather than hang, if it never returns."""
    # Unlike `asyncio.wait_for`, this does not cancel the app before deciding: a cancellation
    # would close the stream itself and hide a host that never did.
    task = asyncio.ensure_future(app_call)
    done, _ = await asyncio.wait({task}, timeout=HANG)
    if not done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        pytest.fail("the host never finished: it kept waiting on the stream")
    task.result()


def receiver(disconnect: asyncio.Event) -> Callable[[], Awaitable[Message]]:
    """Return an ASGI receive: the request body once, then a disconnect once `disconnect` is set."""
    pending = [request_body()]

    async def receive() -> Message:
        if pending:
            return pending.pop()
        await disconnect.wait()
        return {"type": "http.disconnect"}

    return receive


def body_chunks(messages: list[Message]) -> list[bytes]:
    """Return the non-empty body chunks among sent messages."""
    return [m["body"] for m in messages if m["type"] == "http.response.body" and m.get("body")]


def test_each_chunk_reaches_the_client_before_the_next_is_produced() -> None:
    stream = GatedStream(b"data: first\n\n", [b"data: second\n\n", b"data: [DONE]\n\n"])
    app, _ = streaming_app(stream)
    sent: asyncio.Queue[Message] = asyncio.Queue()
    finished = asyncio.Event()

    receive = receiver(finished)

    async def scenario() -> list[bytes]:
        task = asyncio.ensure_future(app(ASGI_SCOPE, receive, sent.put))
        start = await asyncio.wait_for(sent.get(), HANG)
        assert (start["type"], start["status"]) == ("http.response.start", 200)
        first = await asyncio.wait_for(sent.get(), HANG)
        # The client holds the first event while the producer is still parked before the
        # rest: only now is it let go.
        assert first["body"] == b"data: first\n\n"
        assert stream.produced == [b"data: first\n\n"]
        stream.gate.set()
        rest = [first]
        while rest[-1].get("more_body", False):
            rest.append(await asyncio.wait_for(sent.get(), HANG))
        finished.set()
        await finishes(task)
        return body_chunks(rest)

    assert run(scenario()) == [b"data: first\n\n", b"data: second\n\n", b"data: [DONE]\n\n"]
    assert stream.finished
    assert stream.aclose_called


def test_a_client_disconnect_stops_the_stream_and_closes_the_generator() -> None:
    stream = GatedStream(b"data: first\n\n", [b"data: never\n\n"])  # its gate is never opened
    app, _ = streaming_app(stream)
    sent: list[Message] = []
    first_chunk_out = asyncio.Event()

    receive = receiver(first_chunk_out)

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            first_chunk_out.set()

    run(finishes(app(ASGI_SCOPE, receive, send)))
    assert body_chunks(sent) == [b"data: first\n\n"]
    assert stream.closed  # the generator's `finally` ran
    assert stream.aclose_called
    assert not stream.finished
    assert stream.produced == [b"data: first\n\n"]


def test_a_plain_async_generator_is_closed_on_disconnect_too() -> None:
    closed: list[str] = []
    first_chunk_out = asyncio.Event()

    async def produce() -> AsyncIterator[bytes]:
        try:
            yield b"data: first\n\n"
            await asyncio.Event().wait()  # a producer that would wait forever
            yield b"data: never\n\n"
        finally:
            closed.append("finally")

    app, _ = streaming_app(produce())
    sent: list[Message] = []

    receive = receiver(first_chunk_out)

    async def send(message: Message) -> None:
        sent.append(message)
        if message.get("body"):
            first_chunk_out.set()

    run(finishes(app(ASGI_SCOPE, receive, send)))
    assert closed == ["finally"]
    assert body_chunks(sent) == [b"data: first\n\n"]


def failing_stream(first: bytes) -> Callable[[], AsyncIterator[bytes]]:
    """Return a producer that sends `first`, then fails."""

    async def produce() -> AsyncIterator[bytes]:
        yield first
        raise RuntimeError("upstream went away")

    return produce


@pytest.mark.parametrize(
    ("path", "body", "first"),
    [
        ("/v1/chat/completions", {**CHAT, "stream": True}, b'data: {"choices": []}\n\n'),
        (
            "/v1/responses",
            {"input": "hi", "stream": True},
            b'event: response.created\ndata: {"type": "response.created"}\n\n',
        ),
    ],
)
def test_a_stream_that_fails_midway_ends_with_an_error_event(
    path: str, body: dict[str, Any], first: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    backend = FakeBackend(
        lambda model, inputs, options: StreamResult(as_producer(model, failing_stream(first)()))
    )
    app = CoreClient(backend=backend).asgi_app()

    with caplog.at_level(logging.ERROR, logger="airelay"):
        response = asgi_request(app, "POST", path, json=body)
    assert response.status_code == 200  # the headers were out before the failure
    assert response.content.startswith(first)
    events = sse_events(response)
    error = events[-1].json()
    if path == "/v1/responses":
        assert events[-1].event == "error"
        assert error["type"] == "error"
        assert error["sequence_number"] == 1
        assert error["code"] == "stream_failed"
    else:
        assert error["error"]["code"] == "stream_failed"
    assert "stream failed midway" in caplog.text


def test_a_json_answer_is_sent_with_its_length() -> None:
    app = CoreClient(backend=answering(JsonResult({"ok": "caf\u00e9"}))).asgi_app()
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": json.dumps(CHAT).encode()}

    async def send(message: Message) -> None:
        sent.append(message)

    run(app(ASGI_SCOPE, receive, send))
    headers = dict(sent[0]["headers"])
    assert headers[b"content-length"] == str(len(sent[1]["body"])).encode()
    assert json.loads(sent[1]["body"]) == {"ok": "caf\u00e9"}


def test_a_204_carries_no_content_length() -> None:
    # RFC 9110 8.6: a 204 must not send content-length.
    response = request(
        "OPTIONS",
        "/v1/chat/completions",
        headers={"origin": "http://page.test", "access-control-request-method": "POST"},
    )
    assert response.status_code == 204
    assert "content-length" not in response.headers


def test_a_stream_that_raises_is_cut_off_cleanly_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A producer should end its own failures (airelay.core.streams); one that still raises
    # gets a clean end of the body, never a broken connection.
    first = b'data: {"choices": []}\n\n'
    backend = FakeBackend(lambda model, inputs, options: StreamResult(failing_stream(first)()))
    app = CoreClient(backend=backend).asgi_app()
    with caplog.at_level(logging.ERROR, logger="airelay"):
        response = asgi_request(app, "POST", "/v1/chat/completions", json={**CHAT, "stream": True})
    assert response.status_code == 200
    assert response.content == first
    assert "stream failed midway" in caplog.text
