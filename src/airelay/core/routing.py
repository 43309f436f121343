"""Match a method and path to an endpoint; 404 for unknown paths, 405 with `Allow` for methods."""

from __future__ import annotations

from airelay.core.endpoints import ENDPOINTS, Endpoint
from airelay.core.errors import RelayError


def match(endpoint: Endpoint, path: str) -> str | None:
    """Return the path parameter ("" for plain paths) if `path` is the endpoint's, else None."""
    if endpoint.has_parameter:
        prefix = endpoint.prefix
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix) :]
        return None
    return "" if path == endpoint.path else None


def resolve(method: str, path: str) -> tuple[Endpoint, str]:
    """Return the endpoint for `method` and `path` and its path parameter, or raise 404/405."""
    normalized = path.rstrip("/") or "/"
    for endpoint in ENDPOINTS:
        param = match(endpoint, normalized)
        if param is None:
            continue
        if method in endpoint.allowed():
            return endpoint, param
        allow = ", ".join(endpoint.allowed())
        raise RelayError(
            405,
            f"Method {method} is not allowed on {path}; use {allow}.",
            code="method_not_allowed",
            headers=(("allow", allow),),
        )
    raise RelayError(404, f"Unknown path: {path}", code="not_found")
