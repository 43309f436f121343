"""Deliberately broken relays for `airelay check`: the local host wrapped in one fault each."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import uvicorn

from airelay.hosts.asgi import Message, Receive, Scope, Send
from airelay.hosts.local import build_app
from airelay.hosts.static import App

TOKEN_DELAY_S = 0.05
RELAY_KEY = "check-relay-key-0123456789"


def local_relay(env: Mapping[str, str] | None = None) -> App:
    """Return the real local host with a token delay, so its streams take visible time."""
    return build_app(env or {}, token_delay=TOKEN_DELAY_S, log=lambda line: None)


def _is_stream(message: Message) -> bool:
    headers = dict(message.get("headers") or [])
    return headers.get(b"content-type", b"").startswith(b"text/event-stream")


def drops_cors_on_streams(app: App) -> App:
    """Strip every access-control-* header from streamed answers, as a careless proxy might."""

    async def relay(scope: Scope, receive: Receive, send: Send) -> None:
        async def forward(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_stream(message):
                message["headers"] = [
                    (k, v) for k, v in message["headers"] if not k.startswith(b"access-control-")
                ]
            await send(message)

        await app(scope, receive, forward)

    return relay


def other_error_shape(app: App) -> App:
    """Answer every error as `{"detail": message}` instead of OpenAI's `{"error": {...}}`."""

    async def relay(scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        body = b""

        async def forward(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start" and message["status"] >= 400:
                start = message
                return
            if start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            detail = json.loads(body)["error"]["message"]
            rewritten = json.dumps({"detail": detail}).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(rewritten)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": rewritten})

        await app(scope, receive, forward)

    return relay


def buffers_streams(app: App) -> App:
    """Hold a streamed answer back until it is complete, then send it at once."""

    async def relay(scope: Scope, receive: Receive, send: Send) -> None:
        held: list[Message] = []

        async def forward(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_stream(message):
                held.append(message)
                return
            if not held:
                await send(message)
                return
            held.append(message)
            if message.get("more_body", False):
                return
            body = b"".join(m.get("body", b"") for m in held[1:])
            await send(held[0])
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, forward)

    return relay


def ignores_the_key() -> App:
    """Return a relay with a key that lets anyone in: it drops the key and serves keyless."""
    app = local_relay({"API_KEYS": RELAY_KEY, "ALLOW_ANONYMOUS": "true"})
    dropped = (b"authorization", b"api-key", b"x-api-key")

    async def relay(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "headers": [h for h in scope["headers"] if h[0] not in dropped]}
        await app(scope, receive, send)

    return relay


@contextmanager
def serve(app: App) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yield its URL."""
    # Listening before the thread starts: a request queues in the backlog until uvicorn accepts
    # it, so no wait for start-up is needed.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", ws="none", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
