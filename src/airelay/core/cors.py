"""CORS (Fetch standard, "CORS protocol"): preflights and the headers of real responses."""

from __future__ import annotations

from dataclasses import dataclass

from airelay.core.gateway import CALLER_HEADERS
from airelay.core.headers import EXPOSED
from airelay.core.types import Request, Response

ALLOWED_METHODS = ("GET", "POST", "OPTIONS")
# What `fetch` callers and the openai SDKs send; x-stainless-* are the SDKs' telemetry headers.
ALLOWED_HEADERS = frozenset(
    {
        "authorization",
        "api-key",
        "x-api-key",
        "content-type",
        "accept",
        "x-request-id",
        "openai-organization",
        "openai-project",
        "openai-beta",
        "idempotency-key",
        *(header.name for header in CALLER_HEADERS),
    }
)
ALLOWED_HEADER_PREFIXES = ("x-stainless-",)
EXPOSED_HEADERS = EXPOSED  # from the table of response headers
PREFLIGHT_MAX_AGE = "86400"


@dataclass(frozen=True)
class CorsPolicy:
    """Which origins may read the relay's answers: a set of origins, or any (`*`)."""

    origins: frozenset[str]
    any_origin: bool = False

    def allows(self, origin: str) -> bool:
        """Tell whether `origin` may read responses."""
        return self.any_origin or origin.rstrip("/").lower() in self.origins

    def headers(self, request: Request) -> list[tuple[str, str]]:
        """Return the CORS headers for a real (non-preflight) response to `request`."""
        origin = request.header("origin")
        vary = [] if self.any_origin else [("vary", "Origin")]
        if origin is None or not self.allows(origin):
            return vary
        # Never `access-control-allow-credentials`: keys travel in headers, not cookies, so
        # `*` can never expose a credentialed answer.
        allow = "*" if self.any_origin else origin
        return [
            *vary,
            ("access-control-allow-origin", allow),
            ("access-control-expose-headers", EXPOSED_HEADERS),
        ]

    def preflight(self, request: Request, methods: tuple[str, ...] = ALLOWED_METHODS) -> Response:
        """Answer an OPTIONS request: 204, with CORS grants only for an allowed origin."""
        allowed = ", ".join(methods)
        headers = [("allow", allowed)]
        origin = request.header("origin")
        wanted_method = request.header("access-control-request-method")
        if origin is None or wanted_method is None or not self.allows(origin):
            return Response(204, headers + ([] if self.any_origin else [("vary", "Origin")]))
        wanted = [
            h.strip().lower()
            for h in (request.header("access-control-request-headers") or "").split(",")
            if h.strip()
        ]
        granted = [
            h for h in wanted if h in ALLOWED_HEADERS or h.startswith(ALLOWED_HEADER_PREFIXES)
        ]
        headers += [
            ("access-control-allow-origin", "*" if self.any_origin else origin),
            ("access-control-allow-methods", allowed),
            ("access-control-max-age", PREFLIGHT_MAX_AGE),
        ]
        if granted:
            headers.append(("access-control-allow-headers", ", ".join(granted)))
        if not self.any_origin:
            headers.append(
                ("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
            )
        return Response(204, headers)
