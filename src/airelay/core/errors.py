"""The one error type and its one rendering, in OpenAI's error shape.

Pydantic-free: the Worker glue raises these from Pyodide.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
# https://developers.cloudflare.com/workers-ai/platform/errors/ (the same table as cloudflare/ai
# packages/gateway-core/src/workers-ai-errors.ts, WORKERS_AI_ERROR_CODE_TO_STATUS).
WORKERS_AI_CODES = {
    5007: 400, 5004: 400, 3039: 400, 3003: 400, 3006: 413, 3042: 404,
    5018: 403, 5016: 403, 3023: 403, 3041: 403, 5019: 405, 5005: 405,
    3007: 408, 3008: 408, 3036: 429, 3040: 429,
}  # fmt: skip

# AI Gateway refusing content by the operator's policy: Guardrails (2016 prompt, 2017 response;
# https://developers.cloudflare.com/ai-gateway/features/guardrails/set-up-guardrail/) and Data
# Loss Prevention (2029 prompt, 2030 response). Retrying the same content cannot help.
CONTENT_BLOCKED_CODES = {
    2016: ("Guardrails", "prompt"),
    2017: ("Guardrails", "response"),
    2029: ("Data Loss Prevention", "prompt"),
    2030: ("Data Loss Prevention", "response"),
}

# An upstream `retry-after` is passed on only as delta-seconds (RFC 9110 section 10.2.3; an
# HTTP-date would need a clock to check) and never longer than an hour, so a bad value cannot
# park the callers' retries.
DEFAULT_RETRY_AFTER_S = 1
MAX_RETRY_AFTER_S = 3600
_DELTA_SECONDS = re.compile(r"[0-9]{1,10}")

# Upstream error bodies are quoted in messages and logs: cut to a readable size.
MAX_DESCRIPTION_CHARS = 500
# A JSON error body with more brackets than this is read as text: json.loads recurses once per
# level, and in Pyodide a deep enough body kills the runtime instead of raising RecursionError.
_MAX_ERROR_BRACKETS = 256


def upstream_status(code: int) -> int | None:
    """Return the HTTP status an upstream error code stands for, if it is known."""
    if code in WORKERS_AI_CODES:
        return WORKERS_AI_CODES[code]
    return code if 100 <= code <= 599 else None


def retry_after(value: str | None) -> str:
    """Return the `retry-after` to send for an upstream 429: its delta-seconds, bounded."""
    text = (value or "").strip()
    if not _DELTA_SECONDS.fullmatch(text):
        return str(DEFAULT_RETRY_AFTER_S)
    return str(min(int(text), MAX_RETRY_AFTER_S))


def upstream_error(
    status: int, description: str, *, retry_after_value: str | None = None
) -> BackendError:
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
            headers=(("retry-after", retry_after(retry_after_value)),),
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


def content_blocked(code: int, description: str) -> BackendError:
    """Return the 400 for content AI Gateway's Guardrails or DLP blocked (`code` 2016..2030)."""
    feature, what = CONTENT_BLOCKED_CODES[code]
    subject = "the prompt" if what == "prompt" else "the model's response"
    return BackendError(
        400,
        f"AI Gateway {feature} blocked {subject} ({code}): {description}",
        code="content_blocked",
    )


def coded_error(
    code: int | None,
    description: str,
    status: int | None = None,
    retry_after_value: str | None = None,
) -> BackendError | None:
    """Map an upstream error code and HTTP status to the relay's answer, if either means one."""
    if code is not None and code in CONTENT_BLOCKED_CODES:
        return content_blocked(code, description)
    if code is not None and code in WORKERS_AI_CODES:
        # A Workers AI internal code is more specific than the status it came with.
        meant: int | None = WORKERS_AI_CODES[code]
    elif status is not None:
        meant = status
    else:
        meant = upstream_status(code) if code is not None else None
    if meant is None:
        return None
    return upstream_error(meant, description, retry_after_value=retry_after_value)


def upstream_failure(status: int, body: str, retry_after_value: str | None = None) -> BackendError:
    """Map a non-2xx upstream answer (status, error body, `retry-after`) to the relay's answer."""
    code, description = error_details(body)
    error = coded_error(code, description, status, retry_after_value)
    return error if error is not None else upstream_error(status, description)


def error_details(body: str) -> tuple[int | None, str]:
    """Return the error code and description an upstream error body carries."""
    # The shapes: Workers AI's {internalCode, description, name} and {errors: [{code, message}]},
    # both read by workerd's Ai._parseError (src/cloudflare/internal/ai-api.ts); AI Gateway's
    # {success: false, error: [{code, message}]} (cloudflare/ai
    # packages/ai-gateway-provider/src/index.ts, readGatewayErrorCode); OpenAI's
    # {error: {message, type, code}} passed on by AI Gateway. Anything else is quoted as text.
    text = body.strip()
    data: Any = None
    if text[:1] == "{" and text.count("{") + text.count("[") <= _MAX_ERROR_BRACKETS:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
    found = _json_error(data) if isinstance(data, dict) else None
    if found is not None:
        return found
    return None, _describe(text) or "(no details)"


def _json_error(data: dict[str, Any]) -> tuple[int | None, str] | None:
    if "internalCode" in data or "description" in data:
        described = _describe(data.get("description") or data.get("message"))
        return _code(data.get("internalCode")), described or "(no details)"
    for key in ("errors", "error"):
        item = data.get(key)
        if isinstance(item, list):
            item = item[0] if item else None
        if isinstance(item, dict):
            message = _describe(item.get("message") or item.get("type"))
            if message or item.get("code") is not None:
                return _code(item.get("code")), message or "(no details)"
        elif isinstance(item, str) and item.strip():
            return None, _describe(item)
    if isinstance(data.get("message"), str) and data["message"].strip():
        return _code(data.get("code")), _describe(data["message"])
    return None


def _code(value: Any) -> int | None:
    # Codes come as numbers (2016) or numeric strings ("3040"); OpenAI's are words.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 6:
        return int(value.strip())
    return None


def _describe(value: Any) -> str:
    text = " ".join(str(value).split()) if value is not None else ""
    if len(text) > MAX_DESCRIPTION_CHARS:
        text = text[: MAX_DESCRIPTION_CHARS - 1] + "\u2026"
    return text
