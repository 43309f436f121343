"""The local host: an ASGI adapter over the core's `handle`, for uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from airelay.types import Handler, Platform, Request, Response

logger = logging.getLogger("airelay")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ClientDisconnected(Exception):
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
        try:
            body = await _read_body(receive)
        except ClientDisconnected:
            return
        request = Request(
            method=scope["method"].upper(),
            path=scope["path"],
            headers=tuple((k.decode("latin-1").lower(), v.decode("latin-1"))
                          for k, v in scope["headers"]),
            body=body,
            query=scope.get("query_string", b"").decode("latin-1"),
            client=(scope.get("client") or (None,))[0],
        )
        response = await self._handle(request, self._platform())
        await _send_response(response, receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_response(response: Response, receive: Receive, send: Send) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if response.stream is None:
        headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
        return
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    stream: AsyncIterator[bytes] = response.stream  # type: ignore[assignment]
    await _pump(stream, receive, send)


async def _pump(stream: AsyncIterator[bytes], receive: Receive, send: Send) -> None:
    """Send each chunk as it comes; stop the producer as soon as the client disconnects."""

    async def forward() -> None:
        try:
            async for chunk in stream:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except Exception:
            # Headers are out: the status can no longer change, so end the body cleanly.
            logger.exception("stream failed midway")
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
        for task in (forwarding, watching):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
