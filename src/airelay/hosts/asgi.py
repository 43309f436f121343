"""The local host: an ASGI adapter over the core's `handle`, for uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from airelay.core.errors import RelayError
from airelay.core.limits import DEFAULT_MAX_BODY_BYTES, body_limit, declared_length
from airelay.core.types import Handler, Platform, Request, Response

logger = logging.getLogger("airelay")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ClientDisconnectedError(Exception):
    """The client went away before the request body was read."""


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
        platform = self._platform()
        headers = tuple(
            (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]
        )
        try:
            limit = body_limit(platform.env)
        except RelayError:
            limit = DEFAULT_MAX_BODY_BYTES  # the core answers the misconfiguration itself
        try:
            body = await _read_body(receive, headers, limit)
        except ClientDisconnectedError:
            return
        request = Request(
            method=scope["method"].upper(),
            path=scope["path"],
            headers=headers,
            body=body,
            query=scope.get("query_string", b"").decode("latin-1"),
            client=(scope.get("client") or (None,))[0],
        )
        response = await self._handle(request, platform)
        await _send_response(response, receive, send, head=request.method == "HEAD")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive, headers: tuple[tuple[str, str], ...], limit: int) -> bytes:
    """Read the body, but never more than `limit` + 1 bytes: the core answers 413 for more."""
    declared = declared_length(dict(headers).get("content-length"))
    if declared is not None and declared > limit:
        return b""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnectedError
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            return b"".join(chunks)[: limit + 1]


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
    await _pump(stream, response.stream_error, receive, send)


async def _pump(
    stream: AsyncIterator[bytes],
    stream_error: Callable[[int], bytes] | None,
    receive: Receive,
    send: Send,
) -> None:
    """Send each chunk as it comes; stop the producer as soon as the client disconnects."""

    async def forward() -> None:
        sent = 0
        while True:
            try:
                chunk = await anext(stream)
            except StopAsyncIteration:
                break
            except Exception:
                # Headers are out, so the status can't change: say so in the stream's format.
                logger.exception("stream failed midway")
                if stream_error is not None:
                    await send(
                        {
                            "type": "http.response.body",
                            "body": stream_error(sent),
                            "more_body": True,
                        }
                    )
                break
            # A failed send is the client's connection, not the stream: it propagates.
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += 1
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    forwarding = asyncio.ensure_future(forward())
    watching = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait((forwarding, watching), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (forwarding, watching):
            task.cancel()
        try:
            for task in (forwarding, watching):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            # Even when sending failed, the producer must stop and free what it holds.
            await _close(stream)


async def _close(stream: object) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
