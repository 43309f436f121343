"""Match a method and path to a route; 404 for unknown paths, 405 with `Allow` for methods."""

from __future__ import annotations

from dataclasses import dataclass

from airelay.core.errors import RelayError


@dataclass(frozen=True)
class Route:
    """A path pattern (exact, or a prefix ending in `/` for a trailing parameter)."""

    name: str
    path: str
    methods: tuple[str, ...]

    def allowed(self) -> tuple[str, ...]:
        """Return every method the route answers, for `Allow` (RFC 9110 10.2.1)."""
        # HEAD is served wherever GET is, and OPTIONS everywhere (CORS preflights).
        head = ("HEAD",) if "GET" in self.methods else ()
        return (*self.methods, *head, "OPTIONS")

    def matches(self, path: str) -> str | None:
        """Return the trailing parameter ("" for exact routes) if `path` matches, else None."""
        if self.path.endswith("/"):
            if path.startswith(self.path) and len(path) > len(self.path):
                return path[len(self.path) :]
            return None
        return "" if path == self.path else None


ROUTES = (
    Route("chat", "/v1/chat/completions", ("POST",)),
    Route("responses", "/v1/responses", ("POST",)),
    Route("models", "/v1/models", ("GET",)),
    Route("model", "/v1/models/", ("GET",)),
    Route("health", "/health", ("GET",)),
    Route("openapi", "/openapi.json", ("GET",)),
)


def resolve(method: str, path: str) -> tuple[Route, str]:
    """Return the route for `method` and `path` and its trailing parameter, or raise 404/405."""
    normalized = path.rstrip("/") or "/"
    for route in ROUTES:
        param = route.matches(normalized)
        if param is None:
            continue
        if method in route.allowed():
            return route, param
        allow = ", ".join(route.allowed())
        raise RelayError(
            405,
            f"Method {method} is not allowed on {path}; use {allow}.",
            code="method_not_allowed",
            headers=(("allow", allow),),
        )
    raise RelayError(404, f"Unknown path: {path}", code="not_found")
