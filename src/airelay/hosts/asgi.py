"""The local host: an ASGI adapter over the core's `handle`, for uvicorn."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from airelay.core.errors import RelayError
from airelay.core.types import BodyError, BodyReader, Handler, Headers, Platform, Request, Response

logger = logging.getLogger("airelay")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# A scope extension the server may set (hosts/guard.py): the event loop time by which the
# request body must have arrived; past it, the answer is a 408.
BODY_DEADLINE = "airelay.body_deadline"


class AsgiApp:
    """Serve `handle` over ASGI with a platform built per request by `platform`."""

    def __init__(self, handle: Handler, platform: Callable[[], Platform]) -> None:
        self._handle = handle
        self._platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = _BodyReader(receive, scope.get("extensions", {}).get(BODY_DEADLINE))
        request = Request(
            method=scope["method"].upper(),
            path=scope["path"],
            headers=Headers(
                [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
            ),
            query=scope.get("query_string", b"").decode("latin-1"),
            client=(scope.get("client") or (None,))[0],
            reader=body.reader(),
        )
        response = await self._handle(request, self._platform())
        if body.disconnected:
            # Nobody is left to answer; a producer the core started must still stop.
            await _close(response.stream)
            return
        await _send_response(response, receive, send, head=request.method == "HEAD")


_HOST_SEPARATORS = re.compile(r"[\s,]+")


def host_name(header: str) -> str:
    """Return the name a Host header gives, without its port or IPv6 brackets, lowercased."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    name, colon, port = value.rpartition(":")
    return name if colon and port.isdigit() else value


def is_loopback(name: str) -> bool:
    """Tell whether `name` (a host name or address) names this machine's loopback interface."""
    # RFC 6761 6.3: `localhost` and its subdomains resolve to loopback.
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostCheck:
    """Answer 403 to requests whose Host names neither loopback nor one of `allowed`."""

    # DNS rebinding: a page on attacker.example rebinds its name to 127.0.0.1 and reads the
    # answers as same-origin, so CORS never applies; only the Host header still names the
    # attacker. Vite (`server.allowedHosts`), webpack-dev-server (`allowedHosts`) and Jupyter
    # (`allow_remote_access`) check it the same way.

    def __init__(
        self, app: Callable[[Scope, Receive, Send], Awaitable[None]], allowed: str
    ) -> None:
        self._app = app
        names = {host_name(item) for item in _HOST_SEPARATORS.split(allowed) if item}
        self._any = "*" in names
        self._allowed = frozenset(names)

    def allows(self, header: str | None) -> bool:
        """Tell whether a request with this Host header may pass."""
        if self._any:
            return True
        if header is None:
            return False
        name = host_name(header)
        return is_loopback(name) or name in self._allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        if self.allows(header):
            await self._app(scope, receive, send)
            return
        error = RelayError(
            403,
            "This local relay answers only requests addressed to localhost or a loopback "
            "address; add this host name to ALLOWED_HOSTS to allow it.",
            code="host_not_allowed",
        )
        await _send_response(error.to_response(), receive, send, head=scope["method"] == "HEAD")


class _BodyReader:
    """Read an ASGI request body for the core, never more than the limit it asks for + 1."""

    def __init__(self, receive: Receive, deadline: float | None = None) -> None:
        self._receive = receive
        self._deadline = deadline
        self.disconnected = False

    def reader(self) -> BodyReader:
        """Return the read the core calls."""
        # No deadline (another protocol, or the whole body came with the headers): no timer.
        return self._read if self._deadline is None else self._read_by_deadline

    async def _read_by_deadline(self, limit: int) -> bytes:
        assert self._deadline is not None
        try:
            async with asyncio.timeout_at(self._deadline):
                return await self._read(limit)
        except TimeoutError:
            # RFC 9110 15.5.9: 408, and close: the rest of the body may still be on its way.
            raise RelayError(
                408,
                "The request body did not arrive before the server's body deadline.",
                code="request_timeout",
                headers=(("connection", "close"),),
            ) from None

    async def _read(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                raise BodyError("the client disconnected")
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > limit or not message.get("more_body", False):
                return b"".join(chunks)[: limit + 1]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _send_response(
    response: Response, receive: Receive, send: Send, head: bool = False
) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if response.stream is None or head:
        # HEAD gets the headers a GET would, content-length included (RFC 9110 9.3.2); 204 and
        # 304 carry no content-length at all (RFC 9110 8.6).
        if response.status not in (204, 304):
            headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else response.body})
        if response.stream is not None:
            await _close(response.stream)
        return
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    stream: AsyncIterator[bytes] = response.stream  # type: ignore[assignment]
    await _pump(stream, receive, send)


async def _pump(stream: AsyncIterator[bytes], receive: Receive, send: Send) -> None:
    """Send each chunk as it comes; stop the producer as soon as the client disconnects."""
    # The chunks are forwarded in the request's own task, so the first one leaves in the same
    # event-loop step as the headers; one watcher task cancels that forwarding when the client
    # leaves, even while the producer waits before or between chunks. (Starlette's
    # StreamingResponse runs the sending and a disconnect listener as two tasks; ASGI spec 2.4's
    # OSError from `send` would only tell at the next chunk.) A producer ends its own failures
    # in its own format (airelay.core.streams); one that still raises is cut off and logged here.
    # With the log line written after the answer (hosts/local.py), a streamed chat's first byte
    # left after 78 us instead of 109, a streamed responses' after 89 instead of 119, old and
    # new code interleaved in process (docs/performance.md; the in-process first byte is
    # bench/http_stack.py's asleep_cost reading).
    task = asyncio.current_task()
    assert task is not None
    left = False
    watcher: asyncio.Task[None] | None = None

    async def watch() -> None:
        nonlocal left
        while (await receive())["type"] != "http.disconnect":
            pass
        left = True
        task.cancel()

    def start_watching() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(watch())

    # The watcher starts on the loop's next turn, which comes as soon as the forwarding waits:
    # a stream that never waits is sent whole without one, and none delays the first byte.
    starting = asyncio.get_running_loop().call_soon(start_watching)
    try:
        while True:
            try:
                chunk = await anext(stream)
            except StopAsyncIteration:
                break
            except Exception:
                logger.exception("stream failed midway")
                break
            # A failed send is the client's connection, not the stream: it propagates.
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except asyncio.CancelledError:
        if not left:
            raise
        # The watcher's own cancellation, not the server's: the request ends quietly.
        task.uncancel()
    finally:
        # Synchronously, before the next await: a watcher cancelled here can no longer cancel
        # this task (Task.cancel on a task about to resume throws into it instead).
        starting.cancel()
        if watcher is not None:
            watcher.cancel()
        # Even when sending failed, the producer must stop and free what it holds.
        await _close(stream)


async def _close(stream: object) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
