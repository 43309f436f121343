"""Read a model upstream's answer the same on every host: a result, or the relay's error.

The one mapping of upstream answers (Workers AI's binding on the Worker; an HTTP upstream on the
local host) to the relay's OpenAI-shaped answers, so every host maps them identically. Pure
functions on text and numbers, no I/O. Pydantic-free: the Worker glue calls it in Pyodide.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from airelay.core import jsonio
from airelay.core.errors import BackendError
from airelay.core.headers import RETRY_AFTER

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
# What of an OpenAI error object goes on as sent: short identifiers only, never free text.
_WORD_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PARAM = re.compile(r"[A-Za-z0-9_.\[\]]{1,128}")
# What a host reads of an error body: any error object fits; an HTML error page is cut.
MAX_ERROR_BODY_BYTES = 16_384
# AI Gateway's log ids and cache statuses are short tokens; anything else stays out of the
# caller's headers and the log line.
_GATEWAY_VALUE = re.compile(r"[\x21-\x7e]{1,128}")


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
            # OpenAI's own type for a 429 (as the relay's own limit answers, core/app.py).
            type="requests",
            code="rate_limit_exceeded",
            headers=((RETRY_AFTER, retry_after(retry_after_value)),),
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
    data = _json_body(body)
    code, description = error_details(body, data)
    error = coded_error(code, description, status, retry_after_value)
    if error is None:
        error = upstream_error(status, description)
    if error.code == "upstream_rejected":
        # An OpenAI-compatible upstream names what it refused (`previous_response_not_found`,
        # `context_length_exceeded`) and which field: SDK callers branch on `error.code`, so
        # a word code and its param go on as the upstream sent them.
        error.code, error.param = _openai_code(data) or (error.code, error.param)
    return error


def _openai_code(data: Any) -> tuple[str, str | None] | None:
    # OpenAI's {error: {message, type, param, code}}, where `code` is a word, not a number.
    item = data.get("error") if isinstance(data, dict) else None
    if not isinstance(item, dict):
        return None
    code, param = item.get("code"), item.get("param")
    if not isinstance(code, str) or not _WORD_CODE.fullmatch(code):
        return None
    return code, param if isinstance(param, str) and _PARAM.fullmatch(param) else None


def _json_body(body: str) -> Any:
    text = body.strip()
    if text[:1] != "{":
        return None
    # jsonio's depth guard: in Pyodide a deep enough body would kill the runtime.
    try:
        return jsonio.loads(text)
    except jsonio.JsonError:
        return None


def error_details(body: str, data: Any = None) -> tuple[int | None, str]:
    """Return the error code and description an upstream error body (parsed: `data`) carries."""
    # The shapes: Workers AI's {internalCode, description, name} and {errors: [{code, message}]},
    # both read by workerd's Ai._parseError (src/cloudflare/internal/ai-api.ts); AI Gateway's
    # {success: false, error: [{code, message}]} (cloudflare/ai
    # packages/ai-gateway-provider/src/index.ts, readGatewayErrorCode); OpenAI's
    # {error: {message, type, code}} passed on by AI Gateway. Anything else is quoted as text.
    text = body.strip()
    if data is None:
        data = _json_body(text)
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


# --- Reading a 2xx answer ----------------------------------------------------------------------
# Cloudflare's own libraries pass a body on as a stream only when its content-type contains
# `text/event-stream` (cloudflare/ai: packages/workers-ai-provider/src/gateway-delegate.ts
# makeRunFetch, packages/tanstack-ai/src/utils/create-fetcher.ts createWorkersAiBindingFetch).


def answer_kind(content_type: str | None) -> Literal["stream", "json", "other"]:
    """Tell how a 2xx answer of this content-type is read: passed on as a stream, parsed, or not."""
    if "text/event-stream" in (content_type or "").lower():
        return "stream"
    return "json" if jsonio.is_json_media_type(content_type) else "other"


def json_answer(text: str) -> dict[str, Any]:
    """Parse a 2xx JSON answer strictly into a JSON object, or raise 502 upstream_malformed."""
    try:
        data = jsonio.loads(text)
    except jsonio.JsonError as exc:
        raise malformed("The model answered with JSON the relay cannot read.") from exc
    return json_object(data)


def json_object(data: Any) -> dict[str, Any]:
    """Return a parsed JSON answer if it is an object, or raise 502 upstream_malformed."""
    if not isinstance(data, dict):
        raise malformed("The model answered with something other than a JSON object.")
    return data


def unreadable(status: int, content_type: str | None) -> BackendError:
    """Return the 502 for a 2xx answer that is neither JSON nor an event stream."""
    return malformed(
        f"The model answered {status} with content-type {content_type or '(none)'!r}, "
        "neither JSON nor an event stream."
    )


def malformed(message: str) -> BackendError:
    """Return the 502 for an upstream answer the relay cannot pass on."""
    return BackendError(502, message, type="api_error", code="upstream_malformed")


def gateway_value(value: str | None) -> str | None:
    """Return an AI Gateway header's value (log id, cache status) if it is a sane token."""
    return value if value is not None and _GATEWAY_VALUE.fullmatch(value) else None


def error_text(body: bytes) -> str:
    """Return the text of an upstream error body, cut to MAX_ERROR_BODY_BYTES."""
    return body[:MAX_ERROR_BODY_BYTES].decode("utf-8", errors="replace")


def with_log_id(error: BackendError, log_id: str | None) -> BackendError:
    """Name AI Gateway's log entry on `error`: the gateway logs failed calls too."""
    if log_id is not None:
        error.log_id = log_id
    return error
