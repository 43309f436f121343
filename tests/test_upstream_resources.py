"""What the upstream path holds: connections and memory over many calls, and a caller leaving."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from airelay.backends.upstream.config import UpstreamConfig
from airelay.backends.upstream.http_backend import UpstreamBackend
from airelay.core.app import handle
from airelay.core.types import Platform
from airelay.hosts.asgi import AsgiApp
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.e2e
HELLO = [{"role": "user", "content": "Hi"}]
REQUESTS = 1_000
WARM_UP = 100
# Growth allowed over the 1,000 calls: a leak of even 5 KB a call would pass it twice over.
MAX_GROWTH_BYTES = 5 * 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(scope="module")
def upstream() -> Iterator[LiveServer]:
    """Run an `airelay dev` with the local model, the upstream of these tests."""
    with live_server() as running:
        yield running


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE


def test_a_thousand_calls_leave_connections_and_memory_flat(upstream: LiveServer) -> None:
    async def go() -> list[tuple[int, int]]:
        backend = UpstreamBackend(UpstreamConfig(f"{upstream.url}/v1"))
        platform = Platform(backend=backend, env={"ALLOW_ANONYMOUS": "true"}, log=lambda r: None)
        transport = httpx.ASGITransport(app=AsgiApp(handle, lambda: platform))
        readings: list[tuple[int, int]] = []
        async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as client:

            async def one(index: int) -> None:
                body: dict[str, Any] = {"messages": HELLO, "stream": index % 2 == 1}
                if index % 4 == 3:
                    body = {"input": "Hi", "stream": True}
                path = "/v1/responses" if "input" in body else "/v1/chat/completions"
                response = await client.post(path, json=body)
                assert response.status_code == 200, response.text

            for index in range(WARM_UP + REQUESTS):
                if index in (WARM_UP, WARM_UP + REQUESTS - 1):
                    gc.collect()
                    readings.append((open_fds(), resident_bytes()))
                await one(index)
        await backend.aclose()
        return readings

    (fds_before, rss_before), (fds_after, rss_after) = asyncio.run(go())
    # Calls one at a time reuse one kept-alive connection: not one descriptor more.
    assert fds_after <= fds_before
    assert rss_after - rss_before < MAX_GROWTH_BYTES


class _Upstream:
    """A loopback upstream in a thread: streams one event, then waits for the relay to leave."""

    def __init__(self) -> None:
        self.left = threading.Event()
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Upstream:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._loop.run_forever()
        self._loop.run_until_complete(self._server.wait_closed())
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        event = b'data: {"object":"chat.completion.chunk","choices":[]}\n\n'
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(event), event)
        )
        await writer.drain()
        while await reader.read(65_536):
            pass  # the request body, then nothing until the relay closes
        self.left.set()
        writer.close()
        self._server.close()


def test_a_caller_who_leaves_a_stream_closes_the_relays_upstream_connection() -> None:
    with _Upstream() as upstream:
        env = {"UPSTREAM_BASE_URL": f"http://127.0.0.1:{upstream.port}/v1"}
        with live_server(env) as relay, httpx.Client(timeout=30) as client:
            body = {"messages": HELLO, "stream": True}
            with client.stream("POST", f"{relay.url}/v1/chat/completions", json=body) as answer:
                assert answer.status_code == 200
                # Kept: a generator dropped at once would close the response with it.
                chunks = answer.iter_raw()
                assert next(chunks).startswith(b"data: ")
                assert not upstream.left.is_set()
            # The caller has gone: uvicorn tells the host, which closes the stream.
            assert upstream.left.wait(30)
