"""Build the core's HTTP responses: JSON bodies and pass-through event streams."""

from __future__ import annotations

from typing import Any

from airelay.core import jsonio
from airelay.core.types import Response

JSON_TYPE = "application/json"
# No content-length and no content-encoding: either would make proxies buffer the stream;
# `x-accel-buffering: no` turns buffering off in nginx-style proxies.
SSE_HEADERS = (
    ("content-type", "text/event-stream; charset=utf-8"),
    ("cache-control", "no-cache"),
    ("x-accel-buffering", "no"),
)


def json_response(
    status: int,
    data: Any,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | None = None,
) -> Response:
    """Serialise `data` as a JSON response; `body`, when given, is its encoding already."""
    encoded = jsonio.dumps(data) if body is None else body
    return Response(status, [("content-type", JSON_TYPE), *(headers or [])], encoded)


def stream_response(stream: object, headers: list[tuple[str, str]] | None = None) -> Response:
    """Wrap an opaque SSE stream without touching it."""
    return Response(200, [*SSE_HEADERS, *(headers or [])], stream=stream)
