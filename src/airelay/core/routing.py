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


# Plain paths by path: the model routes are found by one lookup, not a walk of the table; with
# the other steps docs/performance.md lists, the core's chat request went from 92 to 58 us
# (bench/http_stack.py, "Worker CPU estimate", core).
# (No parameterised path in the table matches a plain one: tests/test_endpoints.py.)
_PLAIN = {e.path: e for e in reversed(ENDPOINTS) if not e.has_parameter}
_ALLOWED = {e.name: e.allowed() for e in ENDPOINTS}


def find(path: str) -> tuple[Endpoint, str] | None:
    """Return the endpoint whose path `path` is, and its path parameter; None if none."""
    plain = _PLAIN.get(path)
    if plain is not None:
        return plain, ""
    for endpoint in ENDPOINTS:
        param = match(endpoint, path)
        if param is not None:
            return endpoint, param
    return None


def resolve(method: str, path: str) -> tuple[Endpoint, str]:
    """Return the endpoint for `method` and `path` and its path parameter, or raise 404/405."""
    found = find(path.rstrip("/") or "/")
    if found is not None:
        endpoint, param = found
        allowed = _ALLOWED[endpoint.name]
        if method in allowed:
            return endpoint, param
        allow = ", ".join(allowed)
        raise RelayError(
            405,
            f"Method {method} is not allowed on {path}; use {allow}.",
            code="method_not_allowed",
            headers=(("allow", allow),),
        )
    raise RelayError(404, f"Unknown path: {path}", code="not_found")
