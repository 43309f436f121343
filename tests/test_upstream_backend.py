"""The upstream backend over httpx's MockTransport: what it sends, how it maps the answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace
from typing import Any

import httpx
import pytest

from airelay.backends.upstream.config import Deadlines, UpstreamConfig
from airelay.backends.upstream.http_backend import UpstreamBackend
from airelay.core.app import handle
from airelay.core.errors import BackendError
from airelay.core.types import JsonResult, Platform, StreamResult
from airelay.hosts.asgi import AsgiApp

MINI, PRO = "openai/gpt-5.4-mini", "openai/gpt-5.4-pro"
CONFIG = UpstreamConfig(
    "http://upstream.test/v1",
    "sk-operator",
    {MINI: "served-mini", PRO: "served-pro"},
    deadlines=Deadlines(connect=1, first_byte=1, total=5),
)
HELLO = {"messages": [{"role": "user", "content": "Hi"}]}
OPTIONS: dict[str, Any] = {"gateway": {"id": "gw-1", "metadata": {"route": "chat"}}}
Handler = Callable[[httpx.Request], Coroutine[Any, Any, httpx.Response]]


def chat_chunk(text: str) -> bytes:
    """Return one Chat Completions stream event carrying `text`."""
    delta = {"index": 0, "delta": {"content": text}}
    chunk = {"id": "c1", "object": "chat.completion.chunk", "choices": [delta]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


CHAT_EVENTS = [chat_chunk("A"), chat_chunk("B"), b"data: [DONE]\n\n"]
SSE = {"content-type": "text/event-stream"}


def run_backend(
    handler: Handler,
    model: str = MINI,
    inputs: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    config: UpstreamConfig = CONFIG,
) -> Any:
    """Run one call; return its result with a stream read whole, or the BackendError raised."""

    async def go() -> Any:
        backend = UpstreamBackend(config, httpx.MockTransport(handler))
        try:
            result = await backend.run(model, inputs or HELLO, options or {})
            if isinstance(result, StreamResult):
                stream: AsyncIterator[bytes] = result.stream  # type: ignore[assignment]
                return result, [chunk async for chunk in stream]
            return result
        except BackendError as error:
            return error
        finally:
            await backend.aclose()

    return asyncio.run(go())


def answer(response: httpx.Response, seen: list[httpx.Request] | None = None) -> Handler:
    async def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return response

    return handler


def test_the_call_goes_to_the_routes_path_with_the_upstream_model_and_operator_key() -> None:
    seen: list[httpx.Request] = []
    run_backend(answer(httpx.Response(200, json={"id": "x"}), seen), PRO, {"input": "Hi"})
    request = seen[0]
    assert str(request.url) == "http://upstream.test/v1/responses"
    assert json.loads(request.content) == {"model": "served-pro", "input": "Hi"}
    assert request.headers["authorization"] == "Bearer sk-operator"
    assert request.headers["accept-encoding"] == "identity"
    assert not [name for name in request.headers if name.startswith("cf-aig-")]


def test_a_plain_upstream_gets_no_gateway_headers_and_no_key_when_none_is_set() -> None:
    seen: list[httpx.Request] = []
    config = replace(CONFIG, api_key=None)
    run_backend(answer(httpx.Response(200, json={}), seen), options=OPTIONS, config=config)
    assert "authorization" not in seen[0].headers
    assert not [name for name in seen[0].headers if name.startswith("cf-aig-")]


def test_the_workers_ai_preset_names_the_gateway_and_sends_its_options_as_headers() -> None:
    seen: list[httpx.Request] = []
    config = replace(CONFIG, preset="workers-ai")
    run_backend(answer(httpx.Response(200, json={}), seen), options=OPTIONS, config=config)
    assert seen[0].headers["cf-aig-gateway-id"] == "gw-1"
    assert seen[0].headers["cf-aig-metadata"] == '{"route":"chat"}'


def test_the_ai_gateway_preset_puts_the_gateway_in_the_path_and_its_token_aside() -> None:
    seen: list[httpx.Request] = []
    config = replace(
        CONFIG,
        base_url="https://gateway.test/v1/acct/{gateway}/compat",
        preset="ai-gateway",
        gateway_token="cf-token",
    )
    run_backend(answer(httpx.Response(200, json={}), seen), options=OPTIONS, config=config)
    assert str(seen[0].url) == "https://gateway.test/v1/acct/gw-1/compat/chat/completions"
    assert seen[0].headers["cf-aig-authorization"] == "Bearer cf-token"
    assert seen[0].headers["authorization"] == "Bearer sk-operator"
    assert "cf-aig-gateway-id" not in seen[0].headers


def test_a_json_answer_keeps_its_bytes_and_gateway_values() -> None:
    body = b'{"id": "chatcmpl-1",  "object": "chat.completion"}'
    headers = {
        "content-type": "application/json",
        "cf-aig-log-id": "log-1",
        "cf-aig-cache-status": "HIT",
        "set-cookie": "a=b",
    }
    result = run_backend(answer(httpx.Response(200, headers=headers, content=body)))
    assert isinstance(result, JsonResult)
    assert result.body == body
    assert result.data == {"id": "chatcmpl-1", "object": "chat.completion"}
    assert (result.gateway_log_id, result.cache_status) == ("log-1", "HIT")


def test_a_gateway_value_that_is_no_short_token_is_dropped() -> None:
    headers = {"content-type": "application/json", "cf-aig-log-id": "x" * 200}
    result = run_backend(answer(httpx.Response(200, headers=headers, content=b"{}")))
    assert isinstance(result, JsonResult)
    assert result.gateway_log_id is None


@pytest.mark.parametrize(
    ("status", "body", "expected_status", "code"),
    [
        (400, '{"error": {"message": "context too long", "type": "x"}}', 400, "upstream_rejected"),
        (401, '{"error": {"message": "bad key"}}', 502, "upstream_error"),
        (404, "not found", 502, "upstream_error"),
        (500, '{"errors": [{"code": 3040, "message": "Capacity"}]}', 429, "rate_limit_exceeded"),
        (503, "<html>down</html>", 502, "upstream_error"),
        (504, "", 504, "upstream_timeout"),
        (400, '{"success": false, "error": [{"code": 2016}]}', 400, "content_blocked"),
    ],
)  # fmt: skip
def test_an_upstream_error_maps_as_on_the_worker(
    status: int, body: str, expected_status: int, code: str
) -> None:
    error = run_backend(answer(httpx.Response(status, content=body.encode())))
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (expected_status, code)


def test_a_refusal_of_the_operators_key_never_quotes_it() -> None:
    body = b'{"error": {"message": "Incorrect API key provided: sk-operator"}}'
    error = run_backend(answer(httpx.Response(401, content=body)))
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (502, "upstream_error")
    assert "sk-op" not in error.message
    assert "refused the relay's own credentials" in error.message


def test_an_error_body_echoing_the_operators_key_is_redacted() -> None:
    body = b'{"error": {"message": "bad request from key sk-operator"}}'
    error = run_backend(answer(httpx.Response(400, content=body)))
    assert isinstance(error, BackendError)
    assert "sk-operator" not in error.message
    assert "[redacted]" in error.message


def test_an_upstream_429_passes_on_its_retry_after_and_log_id_only() -> None:
    headers = {"retry-after": "7", "cf-aig-log-id": "log-9", "x-internal": "secret"}
    error = run_backend(answer(httpx.Response(429, headers=headers, json={"error": "slow"})))
    assert isinstance(error, BackendError)
    assert error.status == 429
    assert (dict(error.headers), error.log_id) == ({"retry-after": "7"}, "log-9")
    rendered = dict(error.to_response().headers)
    assert (rendered["retry-after"], rendered["cf-aig-log-id"]) == ("7", "log-9")
    assert "x-internal" not in rendered


@pytest.mark.parametrize(
    ("headers", "content", "message"),
    [
        ({"content-type": "application/json"}, b"{not json", "cannot read"),
        ({"content-type": "application/json"}, b"[1, 2]", "other than a JSON object"),
        ({"content-type": "application/json"}, b'{"a": "\xff"}', "not UTF-8"),
        ({"content-type": "text/html"}, b"<html></html>", "neither JSON nor an event stream"),
        ({}, b"garbage", "(none)"),
        ({"content-type": "application/json", "content-encoding": "gzip"}, b"{}", "decode"),
    ],
)
def test_a_garbage_answer_is_a_502_upstream_malformed(
    headers: dict[str, str], content: bytes, message: str
) -> None:
    body = httpx.ByteStream(content)  # as sent: decoded only when read
    error = run_backend(answer(httpx.Response(200, headers=headers, stream=body)))
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (502, "upstream_malformed")
    assert message in error.message


def test_an_unreachable_upstream_is_a_502() -> None:
    async def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    error = run_backend(refuse)
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (502, "upstream_error")
    assert "could not be reached" in error.message


@pytest.mark.parametrize(
    ("failure", "variable"),
    [
        (httpx.ConnectTimeout("t"), "UPSTREAM_CONNECT_TIMEOUT_S"),
        (httpx.PoolTimeout("t"), "UPSTREAM_CONNECT_TIMEOUT_S"),
        (httpx.ReadTimeout("t"), "UPSTREAM_FIRST_BYTE_TIMEOUT_S"),
    ],
)
def test_each_transport_deadline_is_a_504_naming_its_variable(
    failure: Exception, variable: str
) -> None:
    async def late(request: httpx.Request) -> httpx.Response:
        raise failure

    error = run_backend(late)
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (504, "upstream_timeout")
    assert variable in error.message


def test_the_total_deadline_bounds_the_wait_for_an_answer() -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError

    config = replace(CONFIG, deadlines=Deadlines(total=0.05))
    error = run_backend(never, config=config)
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (504, "upstream_timeout")
    assert "UPSTREAM_TIMEOUT_S" in error.message


def streaming(
    chunks: list[bytes], then: BaseException | None = None, stall: bool = False
) -> Handler:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk
        if stall:
            await asyncio.Event().wait()
        if then is not None:
            raise then

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, content=body())

    return handler


def test_a_stream_passes_through_chunk_for_chunk() -> None:
    _result, chunks = run_backend(streaming(CHAT_EVENTS))
    assert chunks == CHAT_EVENTS


def test_an_event_split_across_chunks_goes_on_once_whole() -> None:
    data = b"".join(CHAT_EVENTS)
    pieces = [data[:10], data[10:150], data[150:]]
    _result, chunks = run_backend(streaming(pieces))
    assert b"".join(chunks) == data
    assert all(chunk.endswith(b"\n\n") for chunk in chunks)


def test_a_chat_stream_cut_midway_ends_with_its_error_event_after_the_whole_events() -> None:
    cut = [CHAT_EVENTS[0], CHAT_EVENTS[1][:30]]
    _result, chunks = run_backend(streaming(cut, httpx.RemoteProtocolError("peer closed")))
    assert chunks[0] == CHAT_EVENTS[0]
    assert len(chunks) == 2
    event = json.loads(chunks[1].removeprefix(b"data: "))
    assert event["error"]["code"] == "stream_failed"


def test_a_stream_ending_inside_an_event_counts_as_cut() -> None:
    _result, chunks = run_backend(streaming([CHAT_EVENTS[0], b'data: {"id"']))
    assert chunks[0] == CHAT_EVENTS[0]
    assert b"stream_failed" in chunks[1]


def test_a_responses_stream_error_continues_the_sequence_numbers() -> None:
    events = [
        b'event: response.created\ndata: {"type":"response.created"}\n\n'
        b'event: response.in_progress\ndata: {"type":"response.in_progress"}\n\n'
    ]
    _result, chunks = run_backend(
        streaming(events, httpx.ReadError("reset")), PRO, {"input": "Hi", "stream": True}
    )
    assert chunks[0] == events[0]
    error = json.loads(chunks[1].split(b"data: ", 1)[1])
    assert (error["type"], error["sequence_number"]) == ("error", 2)


def test_the_total_deadline_mid_stream_ends_with_the_error_event() -> None:
    config = replace(CONFIG, deadlines=Deadlines(total=0.05))
    _result, chunks = run_backend(streaming(CHAT_EVENTS[:1], stall=True), config=config)
    assert chunks[0] == CHAT_EVENTS[0]
    assert b"stream_failed" in chunks[1]


def test_closing_the_stream_early_closes_the_upstream_body() -> None:
    closed = asyncio.Event()

    class Body(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield CHAT_EVENTS[0]
            await asyncio.Event().wait()

        async def aclose(self) -> None:
            closed.set()

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, stream=Body())

    async def go() -> bool:
        backend = UpstreamBackend(CONFIG, httpx.MockTransport(handler))
        result = await backend.run(MINI, HELLO, {})
        assert isinstance(result, StreamResult)
        stream: Any = result.stream
        assert await anext(stream) == CHAT_EVENTS[0]
        assert not closed.is_set()
        await stream.aclose()
        await backend.aclose()
        return closed.is_set()

    assert asyncio.run(go())


def test_closing_a_stream_never_read_closes_the_upstream_body() -> None:
    closed = asyncio.Event()

    class Body(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield CHAT_EVENTS[0]

        async def aclose(self) -> None:
            closed.set()

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, stream=Body())

    async def go() -> bool:
        backend = UpstreamBackend(CONFIG, httpx.MockTransport(handler))
        result = await backend.run(MINI, HELLO, {})
        assert isinstance(result, StreamResult)
        stream: Any = result.stream
        await stream.aclose()  # the caller left before the answer started
        await backend.aclose()
        return closed.is_set()

    assert asyncio.run(go())


def test_the_callers_key_and_headers_never_reach_the_upstream_nor_its_headers_the_caller() -> None:
    seen: list[httpx.Request] = []
    headers = {"content-type": "application/json", "cf-aig-log-id": "log-2", "x-up": "1"}
    body = json.dumps({"id": "c", "object": "chat.completion", "choices": []}).encode()

    async def go() -> httpx.Response:
        backend = UpstreamBackend(
            CONFIG,
            httpx.MockTransport(answer(httpx.Response(200, headers=headers, content=body), seen)),
        )
        env = {"API_KEYS": "sk-caller-key"}
        platform = Platform(backend=backend, env=env, log=lambda record: None)
        app = AsgiApp(handle, lambda: platform)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as client:
            response = await client.post(
                "/v1/chat/completions",
                json=HELLO,
                headers={"authorization": "Bearer sk-caller-key", "cookie": "c=1", "x-up": "2"},
            )
        await backend.aclose()
        return response

    response = asyncio.run(go())
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["cf-aig-log-id"] == "log-2"
    assert "x-up" not in response.headers
    sent = seen[0].headers
    assert sent["authorization"] == "Bearer sk-operator"
    assert "sk-caller-key" not in str(sent.raw)
    assert "cookie" not in sent
    assert "x-up" not in sent
