"""The one error type and its one rendering, in OpenAI's error shape.

Pydantic-free: the Worker glue raises these from Pyodide.
"""

from __future__ import annotations

import json

from airelay.core.types import Response


class RelayError(Exception):
    """An error answered to the caller as `{"error": {message, type, param, code}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers

    def clone(self) -> RelayError:
        """Return a fresh error with the same fields, to raise where this one was kept."""
        return RelayError(
            self.status,
            self.message,
            type=self.type,
            code=self.code,
            param=self.param,
            headers=self.headers,
        )

    def body(self) -> dict[str, dict[str, str | None]]:
        """Return the OpenAI-shaped error object."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def to_response(self) -> Response:
        """Render this error as a JSON response."""
        payload = json.dumps(self.body(), ensure_ascii=False).encode()
        headers = [("content-type", "application/json"), *self.headers]
        return Response(self.status, headers, payload)


def misconfigured(detail: str) -> RelayError:
    """Return the 500 for a deployment the operator must fix; `detail` names what, never a value."""
    return RelayError(
        500, f"The relay is misconfigured: {detail}.", type="server_error", code="misconfigured"
    )


class BackendError(RelayError):
    """The model backend failed; raised by backends, rendered like any RelayError."""


# Workers AI reports its own 4-digit internal codes ("3040: ..."); their HTTP meaning, from
# https://developers.cloudflare.com/workers-ai/platform/errors/
WORKERS_AI_CODES = {
    5007: 400, 5004: 400, 3039: 400, 3003: 400, 3006: 413, 3042: 404,
    5018: 403, 5016: 403, 3023: 403, 3041: 403, 5019: 405, 5005: 405,
    3007: 408, 3008: 408, 3036: 429, 3040: 429,
}  # fmt: skip


def upstream_status(code: int) -> int | None:
    """Return the HTTP status an upstream error code stands for, if it is known."""
    if code in WORKERS_AI_CODES:
        return WORKERS_AI_CODES[code]
    return code if 100 <= code <= 599 else None


def upstream_error(status: int, description: str) -> BackendError:
    """Map an upstream HTTP status and description to the relay's answer."""
    if status in (408, 504, 524):
        return BackendError(
            504,
            f"The model did not answer in time: {description}",
            type="api_error",
            code="upstream_timeout",
        )
    if status == 429:
        return BackendError(
            429,
            f"The model provider is rate limiting: {description}",
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers=(("retry-after", "1"),),
        )
    if status in (400, 413, 422):
        # The model refused this request (context too long, bad content): retrying won't help,
        # so answer 400 rather than a 5xx that SDKs retry.
        return BackendError(
            400,
            f"The model rejected the request ({status}): {description}",
            code="upstream_rejected",
        )
    return BackendError(
        502,
        f"The model failed ({status}): {description}",
        type="api_error",
        code="upstream_error",
    )
