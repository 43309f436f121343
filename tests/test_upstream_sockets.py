"""The upstream backend over real loopback sockets, against a scripted server that misbehaves."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, closing
from typing import Any

from airelay.backends.upstream.config import Deadlines, UpstreamConfig
from airelay.backends.upstream.http_backend import UpstreamBackend
from airelay.core.errors import BackendError
from airelay.core.types import StreamResult
from tests.live_server import free_port

MINI = "openai/gpt-5.4-mini"
HELLO = {"messages": [{"role": "user", "content": "Hi"}], "stream": True}
EVENT = b'data: {"object":"chat.completion.chunk","choices":[]}\n\n'
# Short deadlines, and a bound far above them that a hang would pass.
FAST = Deadlines(connect=0.3, first_byte=0.3, total=2.0)
HANG_BOUND_S = 10.0
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[str]:
    """Serve `script` on a loopback port for the block; yield the base URL."""
    connections: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await _read_request(reader)
        try:
            await script(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    await reader.readexactly(length)


def stream_head() -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    )


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def call(base_url: str, deadlines: Deadlines = FAST) -> tuple[Any, float]:
    """Run one streamed call; return (the error, or the stream's chunks) and the seconds taken."""
    backend = UpstreamBackend(UpstreamConfig(base_url, "sk-operator", deadlines=deadlines))
    started = time.monotonic()
    try:
        result = await backend.run(MINI, HELLO, {})
        assert isinstance(result, StreamResult)
        stream: Any = result.stream
        outcome: Any = [chunk async for chunk in stream]
    except BackendError as error:
        outcome = error
    finally:
        await backend.aclose()
    return outcome, time.monotonic() - started


def test_an_upstream_that_is_down_is_a_502_at_once() -> None:
    error, took = asyncio.run(call(f"http://127.0.0.1:{free_port()}/v1"))
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (502, "upstream_error")
    assert "could not be reached" in error.message
    assert took < HANG_BOUND_S


def test_an_upstream_that_accepts_no_connection_hits_the_connect_deadline() -> None:
    # A listener whose accept queue is full drops further SYNs: the connection never opens.
    with closing(socket.socket()) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        # With a backlog of 0 the queue holds one connection, never accepted.
        with socket.create_connection(("127.0.0.1", port), timeout=HANG_BOUND_S):
            error, took = asyncio.run(call(f"http://127.0.0.1:{port}/v1"))
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (504, "upstream_timeout")
    assert "UPSTREAM_CONNECT_TIMEOUT_S" in error.message
    assert took < HANG_BOUND_S


def test_an_upstream_that_never_answers_hits_the_first_byte_deadline() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async def go() -> tuple[Any, float]:
        async with scripted(silent) as url:
            return await call(url)

    error, took = asyncio.run(go())
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (504, "upstream_timeout")
    assert "UPSTREAM_FIRST_BYTE_TIMEOUT_S" in error.message
    assert took < HANG_BOUND_S


def test_a_stream_that_stalls_ends_with_the_error_event_at_the_pause_deadline() -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(stream_head() + chunked(EVENT))
        await writer.drain()
        await reader.read()

    async def go() -> tuple[Any, float]:
        async with scripted(stall) as url:
            return await call(url)

    chunks, took = asyncio.run(go())
    assert chunks[0] == EVENT
    assert json.loads(chunks[1].removeprefix(b"data: "))["error"]["code"] == "stream_failed"
    assert took < HANG_BOUND_S


def test_a_stream_that_trickles_past_the_total_deadline_ends_with_the_error_event() -> None:
    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(stream_head())
        while True:  # an event every 50 ms: never idle long, never done
            writer.write(chunked(EVENT))
            await writer.drain()
            await asyncio.sleep(0.05)

    async def go() -> tuple[Any, float]:
        async with scripted(trickle) as url:
            return await call(url, Deadlines(connect=1, first_byte=1, total=0.5))

    chunks, took = asyncio.run(go())
    assert chunks[:-1] == [EVENT] * (len(chunks) - 1)
    assert b"stream_failed" in chunks[-1]
    assert took < HANG_BOUND_S


def test_a_stream_cut_midway_ends_with_the_error_event_after_whole_events_only() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(stream_head() + chunked(EVENT) + chunked(EVENT[:20]))
        await writer.drain()
        writer.transport.abort()

    async def go() -> tuple[Any, float]:
        async with scripted(cut) as url:
            return await call(url)

    chunks, _took = asyncio.run(go())
    assert chunks[0] == EVENT
    assert len(chunks) == 2
    assert b"stream_failed" in chunks[1]


def test_an_upstream_speaking_no_http_is_a_502() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x00\xffnot http at all\r\n\r\n")
        await writer.drain()

    async def go() -> tuple[Any, float]:
        async with scripted(garbage) as url:
            return await call(url)

    error, _took = asyncio.run(go())
    assert isinstance(error, BackendError)
    assert (error.status, error.code) == (502, "upstream_error")


def test_a_429_over_the_wire_keeps_its_retry_after() -> None:
    async def limited(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = b'{"error": {"message": "slow down", "type": "rate_limit"}}'
        writer.write(
            b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n"
            b"retry-after: 12\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()

    async def go() -> tuple[Any, float]:
        async with scripted(limited) as url:
            return await call(url)

    error, _took = asyncio.run(go())
    assert isinstance(error, BackendError)
    assert error.status == 429
    assert ("retry-after", "12") in error.headers
    assert "slow down" in error.message


def test_the_upstream_connection_closes_when_the_caller_stops_reading() -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(stream_head() + chunked(EVENT))
        await writer.drain()
        # Returns once the relay closes its end.
        assert await reader.read() == b""
        closed.set()

    closed = asyncio.Event()

    async def go() -> bool:
        async with scripted(endless) as url:
            backend = UpstreamBackend(UpstreamConfig(url, deadlines=FAST))
            result = await backend.run(MINI, HELLO, {})
            assert isinstance(result, StreamResult)
            stream: Any = result.stream
            assert await anext(stream) == EVENT
            await stream.aclose()  # what the ASGI host does when the client disconnects
            await asyncio.wait_for(closed.wait(), HANG_BOUND_S)
            await backend.aclose()
            return closed.is_set()

    assert asyncio.run(go())
