"""One in-process client for the core, and the one way to point an HTTP or SDK client at a host.

In the manner of httpx's MockTransport: `CoreClient(env=...).post(path, json=...)` runs the
core's `handle` on a fake backend and returns status, headers and JSON, with no sockets.
`asgi_http` and `asgi_sdk` talk to the local host's ASGI app in process; `live_sdk` to a
running `airelay dev`.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx2
import openai

from airelay.core.app import handle
from airelay.core.types import Headers, LogRecord, Platform, RateLimiter, Request, Response
from airelay.hosts.asgi import AsgiApp
from tests.fakes import FakeBackend, run
from tests.live_server import LiveServer

ANYONE = {"ALLOW_ANONYMOUS": "true"}
BASE = "http://relay.test"
ERROR_FIELDS = {"message", "type", "param", "code"}
HeaderItems = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass
class Result:
    """What the core answered: status, case-insensitive headers, body, and its raw Response."""

    response: Response

    @property
    def status(self) -> int:
        """Return the status code."""
        return self.response.status

    @property
    def headers(self) -> Headers:
        """Return the headers, looked up case-insensitively (repeats joined by ", ")."""
        return Headers(self.response.headers)

    @property
    def body(self) -> bytes:
        """Return the bytes body ("" for streams)."""
        return self.response.body

    @property
    def stream(self) -> object | None:
        """Return the opaque stream handed to the host, or None for a bytes body."""
        return self.response.stream

    def header(self, name: str) -> str | None:
        """Return the first value of header `name`, or None."""
        return self.response.header(name)

    def json(self) -> Any:
        """Parse the body as JSON."""
        return jsonlib.loads(self.response.body)

    @property
    def error(self) -> dict[str, Any]:
        """Return the error object of an answer, asserting it is OpenAI's shape."""
        assert self.header("content-type") == "application/json"
        body = self.json()
        assert set(body) == {"error"}
        error: dict[str, Any] = body["error"]
        assert set(error) == ERROR_FIELDS
        return error


@dataclass
class CoreClient:
    """Call the core in process with a fixed environment; keep every log line it writes."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(ANYONE))
    backend: FakeBackend = field(default_factory=FakeBackend)
    rate_limiter: RateLimiter | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def platform(self) -> Platform:
        """Return the platform the core runs on."""
        return Platform(self.backend, self.env, self.rate_limiter, self.log)

    def log(self, record: LogRecord) -> None:
        """Keep `record`'s line, rendered as the core hands it over."""
        self.lines.append(record.line())

    @property
    def records(self) -> list[dict[str, Any]]:
        """Return the log lines, parsed, asserting each is one line."""
        assert all("\n" not in line for line in self.lines)
        return [jsonlib.loads(line) for line in self.lines]

    def asgi_app(self) -> AsgiApp:
        """Return the local host's ASGI app over this client's core, backend and log."""
        return AsgiApp(handle, lambda: self.platform)

    def send(self, request: Request) -> Result:
        """Answer a prepared core Request."""
        return Result(run(handle(request, self.platform)))

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: HeaderItems = (),
        client: str | None = None,
    ) -> Result:
        """Send one request; `json` is encoded with a JSON content type, `content` as is."""
        items = list(headers.items() if isinstance(headers, Mapping) else headers)
        body = b""
        if json is not None:
            body = jsonlib.dumps(json).encode()
            if not any(name.lower() == "content-type" for name, _ in items):
                items.append(("content-type", "application/json"))
        elif content is not None:
            body = content.encode() if isinstance(content, str) else content
        return self.send(Request(method, path, items, body, client=client))

    def get(self, path: str, *, headers: HeaderItems = (), client: str | None = None) -> Result:
        """Send a GET."""
        return self.request("GET", path, headers=headers, client=client)

    def post(self, path: str, **options: Any) -> Result:
        """Send a POST; `options` as for `request`."""
        return self.request("POST", path, **options)

    def options(self, path: str, *, headers: HeaderItems = ()) -> Result:
        """Send an OPTIONS (a CORS preflight when the headers say so)."""
        return self.request("OPTIONS", path, headers=headers)


@asynccontextmanager
async def asgi_http(
    app: AsgiApp | Any, client: tuple[str, int] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Yield an httpx client talking to `app` in process, from `client`'s address if given."""
    transport = (
        httpx.ASGITransport(app=app) if client is None else httpx.ASGITransport(app, client=client)
    )
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


def asgi_request(app: AsgiApp | Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Send one request to `app` in process and read the whole answer; see httpx's `request`."""

    async def send() -> httpx.Response:
        async with asgi_http(app) as http:
            response = await http.request(method, path, **kwargs)
            await response.aread()
            return response

    return run(send())


@asynccontextmanager
async def asgi_sdk(
    app: AsgiApp | Any, api_key: str = "unused", headers: Mapping[str, str] | None = None
) -> AsyncIterator[openai.AsyncOpenAI]:
    """Yield the official openai SDK talking to `app` in process (no sockets, no retries)."""
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as http:
        yield openai.AsyncOpenAI(
            base_url=f"{BASE}/v1",
            api_key=api_key,
            http_client=http,
            max_retries=0,
            default_headers=dict(headers or {}),
        )


def live_sdk(server: LiveServer, api_key: str = "unused") -> openai.OpenAI:
    """Return the official openai SDK for a running `airelay dev`, retries off."""
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0)
