"""A bare ASGI app answering with the canned bytes airelay sent: the benchmark's baseline.

It reads the whole body, then answers by path and by whether the body asks for a stream,
each SSE event in its own chunk, as airelay sends them. The answers come from the JSON file
named by BARE_ANSWERS: {"<path> <stream> <body length>": {"json": str} | {"events": [str, ...]}}.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]

with open(os.environ["BARE_ANSWERS"], encoding="utf-8") as file:
    _ANSWERS: dict[str, Any] = json.load(file)
_SSE = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """Answer a POST with its canned answer."""
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    stream = b'"stream":true' in body.replace(b" ", b"")
    answer = _ANSWERS[f"{scope['path']} {stream} {len(body)}"]
    if "json" in answer:
        data = answer["json"].encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})
        return
    await send({"type": "http.response.start", "status": 200, "headers": _SSE})
    for event in answer["events"]:
        await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
    await send({"type": "http.response.body", "body": b""})
