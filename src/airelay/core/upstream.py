"""Pure helpers for reading an upstream answer, shared by both hosts.

Temporary: the four names the upstream backend calls, until the reshaping issue's version of
this module (which also takes the Worker glue's copies) replaces it. Pydantic-free.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from airelay.core import jsonio
from airelay.core.errors import BackendError

# AI Gateway's log ids and cache statuses are short tokens; anything else stays out of the
# caller's headers and the log line.
_GATEWAY_VALUE = re.compile(r"[\x21-\x7e]{1,128}")

AnswerKind = Literal["stream", "json", "other"]


def gateway_value(text: str | None) -> str | None:
    """Return an AI Gateway header value (log id, cache status) if it is a short token."""
    return text if text is not None and _GATEWAY_VALUE.fullmatch(text) else None


def answer_kind(content_type: str | None) -> AnswerKind:
    """Tell how a 2xx answer with this content type is read: an event stream, JSON, or neither."""
    # As Cloudflare's own libraries decide (cloudflare/ai: workers-ai-provider's
    # gateway-delegate.ts, tanstack-ai's create-fetcher.ts): a stream when the content type
    # contains `text/event-stream`.
    text = (content_type or "").lower()
    if "text/event-stream" in text:
        return "stream"
    media_type = text.split(";")[0].strip()
    if media_type == "application/json" or media_type.endswith("+json"):
        return "json"
    return "other"


def json_answer(text: str) -> dict[str, Any]:
    """Parse a 2xx JSON answer strictly into a JSON object, or raise 502 upstream_malformed."""
    try:
        data = jsonio.loads(text)
    except jsonio.JsonError as exc:
        raise malformed("The model answered with JSON the relay cannot read.") from exc
    if not isinstance(data, dict):
        raise malformed("The model answered with something other than a JSON object.")
    return data


def malformed(message: str) -> BackendError:
    """Return the 502 for an upstream answer the relay cannot read."""
    return BackendError(502, message, type="api_error", code="upstream_malformed")
