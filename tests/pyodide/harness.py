"""Helpers that run inside Pyodide (imported by the snippets the tests send); not a test module."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import stand_ins  # type: ignore[import-not-found]  # registered by runner.mjs
from pyodide.ffi import jsnull

from airelay.core.errors import RelayError
from airelay.core.headers import gateway_headers
from airelay.core.responses import json_response, stream_response
from airelay.core.types import Platform, Request, Response, StreamResult


@dataclass
class FakeCore:
    """A pydantic-free stand-in for the core's `handle`: one backend call, answered like it."""

    model: str = "openai/gpt-5.4-mini"
    inputs: Mapping[str, Any] = field(default_factory=lambda: {"messages": []})
    options: Mapping[str, Any] = field(default_factory=lambda: {"gateway": {"id": "default"}})
    status: int = 200  # a JSON answer's; a stream is answered 200, as the relay answers it
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    seen: list[Request] = field(default_factory=list)
    platforms: list[Platform] = field(default_factory=list)

    async def __call__(self, request: Request, platform: Platform) -> Response:
        """Record the request, run the backend, answer as the relay does (core/relay.py)."""
        self.seen.append(request)
        self.platforms.append(platform)
        try:
            result = await platform.backend.run(self.model, self.inputs, self.options)
        except RelayError as exc:
            return exc.to_response()
        gateway = gateway_headers(result.gateway_log_id, result.cache_status)
        headers = [*self.extra_headers, *gateway]
        if isinstance(result, StreamResult):
            return stream_response(result.stream, headers)
        return json_response(self.status, result.data, headers, result.body)


def b64(data: bytes) -> str:
    """Encode bytes for the JSON channel."""
    return base64.b64encode(data).decode()


async def request_json(request: Request, limit: int = 1 << 20) -> dict[str, Any]:
    """Describe a core Request as JSON, body (read up to `limit`) as base64."""
    return {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": [list(pair) for pair in request.headers.raw()],
        "body": b64(await request.read_body(limit)),
        "client": request.client,
        "client_type": type(request.client).__name__,
    }


async def response_json(response: Any) -> dict[str, Any]:
    """Describe a workers.Response (or JS Response) as JSON, reading its body."""
    raw = getattr(response, "js_object", response)
    return {
        "is_js_response": bool(stand_ins.isResponse(raw)),
        "status": int(raw.status),
        "headers": json.loads(stand_ins.headersJson(raw.headers)),
        "body_is_null": raw.body is None or raw.body is jsnull,
        "body": await stand_ins.readBodyBase64(raw),
    }


def calls(ai: Any) -> list[dict[str, Any]]:
    """Return what the AI stand-in's `run` received, as plain JSON."""
    recorded: list[dict[str, Any]] = json.loads(ai.callsJson())
    return recorded


def make_request(
    method: str = "POST",
    url: str = "https://relay.example/v1/chat/completions",
    headers: list[tuple[str, str]] | None = None,
    body: bytes | None = None,
) -> Any:
    """Build a real JS Request."""
    return stand_ins.makeRequest(
        method, url, json.dumps(headers or []), None if body is None else b64(body)
    )
