"""Runtime-free request, response and backend types shared by both hosts.

This module must not import pydantic: the Worker glue imports it in Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Request:
    """An HTTP request as the core sees it: header names lower-cased, body fully read."""

    method: str
    path: str
    headers: Headers = ()
    body: bytes = b""
    query: str = ""
    client: str | None = None
    # Why the host could not read the body, if it could not: the core answers 400 for it,
    # with the same request id, CORS headers and log line as any other answer.
    body_error: str | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None


@dataclass
class Response:
    """An HTTP response: a bytes body, or an opaque `stream` handed to the host untouched."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: object | None = None
    # For a host that produces stream chunks itself: the bytes of a final error event, in
    # the stream's own format, given how many chunks were already sent.
    stream_error: Callable[[int], bytes] | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class JsonResult:
    """A backend answer that arrived as parsed JSON."""

    data: Any
    gateway_log_id: str | None = None
    # AI Gateway's `cf-aig-cache-status` (HIT or MISS) for this very call.
    cache_status: str | None = None


@dataclass(frozen=True)
class StreamResult:
    """A backend answer that arrived as a byte stream (SSE); `stream` is never inspected."""

    stream: object
    gateway_log_id: str | None = None
    cache_status: str | None = None


BackendResult = JsonResult | StreamResult


class Backend(Protocol):
    """What the core calls to run a model: the Workers AI binding or the local model."""

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Run `model` on `inputs` with binding `options`; raise BackendError on failure."""
        ...


class RateLimiter(Protocol):
    """A per-key request limiter: the Workers Rate Limiting binding or the local one."""

    async def limit(self, key: str) -> bool:
        """Count one request for `key`; return False when it is over the limit."""
        ...


Env = Mapping[str, str]


@dataclass(frozen=True)
class Platform:
    """What a host gives the core for one request."""

    backend: Backend
    env: Env
    rate_limiter: RateLimiter | None = None
    log: Callable[[str], None] = print


class Handler(Protocol):
    """The core's entry point, as the hosts call it."""

    async def __call__(self, request: Request, platform: Platform) -> Response:
        """Answer `request`; never raise."""
        ...
