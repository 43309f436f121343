"""The one error type and its one rendering, in OpenAI's error shape.

Pydantic-free: the Worker glue raises these from Pyodide. How upstream answers map to these
errors is core/upstream.py.
"""

from __future__ import annotations

from airelay.core import jsonio
from airelay.core.headers import gateway_headers
from airelay.core.responses import json_response
from airelay.core.types import Response

# Error bodies have always been written with json.dumps's default separators; kept, so that
# their bytes stay as they were.
_encode = jsonio.encoder(separators=(", ", ": "))


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
        log_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers
        # The AI Gateway log id of the failed model call: AI Gateway logs failures too, and the
        # id lets the caller and the operator find that log.
        self.log_id = log_id

    def clone(self) -> RelayError:
        """Return a fresh error with the same fields, to raise where this one was kept."""
        return RelayError(
            self.status,
            self.message,
            type=self.type,
            code=self.code,
            param=self.param,
            headers=self.headers,
            log_id=self.log_id,
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
        """Render this error as a JSON response, its log id as `cf-aig-log-id`."""
        body = self.body()
        headers = [*self.headers, *gateway_headers(self.log_id)]
        return json_response(self.status, body, headers, _encode(body).encode())


def misconfigured(detail: str) -> RelayError:
    """Return the 500 for a deployment the operator must fix; `detail` names what, never a value."""
    return RelayError(
        500, f"The relay is misconfigured: {detail}.", type="server_error", code="misconfigured"
    )


class BackendError(RelayError):
    """The model backend failed; raised by backends, rendered like any RelayError."""
