"""Read what `env.AI.run` answered: a thrown error, or the raw upstream Response."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from pyodide.ffi import JsException

from airelay.core.errors import BackendError
from airelay.core.headers import CACHE_STATUS, LOG_ID, RETRY_AFTER
from airelay.core.types import BackendResult, JsonResult, StreamResult
from airelay.core.upstream import (
    MAX_ERROR_BODY_BYTES,
    answer_kind,
    coded_error,
    error_text,
    gateway_value,
    json_answer,
    malformed,
    unreadable,
    upstream_error,
    upstream_failure,
    with_log_id,
)
from airelay.hosts.worker.bridge import _is_missing, _js, is_js
from airelay.hosts.worker.request import _read_at_most

# Upstream failures reach Python as JS errors whose message is "<status>: <description>"
# (InferenceUpstreamError); other binding errors carry no status.
_STATUS_MESSAGE = re.compile(r"^\s*(\d{3,4})\s*:\s*(.*)$", re.DOTALL)
_TIMEOUT_NAMES = ("TimeoutError", "AbortError")


def binding_error(exc: JsException) -> BackendError:
    """Map an error thrown by `env.AI.run` to the relay's OpenAI-shaped answer."""
    name = str(getattr(exc, "name", "") or "")
    message = str(getattr(exc, "message", "") or exc)
    # With returnRawResponse the binding answers upstream errors as a Response; what it still
    # throws (AiInternalError, a failed subrequest) may carry "<code>: <description>" all the
    # same. The code decides first: "400: ... timeout ..." is a rejected request, not a timeout.
    match = _STATUS_MESSAGE.match(message)
    error = coded_error(int(match.group(1)), match.group(2).strip()) if match else None
    if error is not None:
        return error
    if name in _TIMEOUT_NAMES or "timeout" in message.lower() or "timed out" in message.lower():
        return upstream_error(504, message)
    return BackendError(
        502,
        f"The Workers AI binding failed: {name + ': ' if name else ''}{message}",
        type="api_error",
        code="upstream_error",
    )


# Why the glue reads the upstream Response itself: workerd's Ai.run stores `aiGatewayLogId`,
# `lastRequestId` and the last status on the one binding object that every request of the
# isolate shares, after awaiting the upstream (and, for JSON, before awaiting its body), so
# those fields can already hold another request's values; it also reads `returnRawResponse`
# back from a shared `#options` field after that await, so every call must pass it. Without
# it, only a content-type of exactly `application/json` is parsed and a non-2xx throws with
# its HTTP status lost (cloudflare/workerd src/cloudflare/internal/ai-api.ts, Ai.run and
# _parseError). Cloudflare's own libraries call the binding this way too (cloudflare/ai:
# packages/workers-ai-provider/src/gateway-delegate.ts makeRunFetch, and
# packages/tanstack-ai/src/utils/create-fetcher.ts createWorkersAiBindingFetch, which treat
# the body as a stream only when the content-type contains `text/event-stream`).


async def read_raw_response(raw: Any) -> BackendResult:
    """Turn the binding's raw upstream Response into a result, or raise the relay's answer."""
    if not is_response(raw):
        raise malformed("The Workers AI binding did not return the upstream response.")
    get = raw.headers.get  # bound once: each attribute read is a JS crossing
    status = int(raw.status)
    log_id = _gateway_header(get, LOG_ID)
    cache_status = _gateway_header(get, CACHE_STATUS)
    if not 200 <= status <= 299:
        body = await _error_text(raw)
        error = upstream_failure(status, body, _header(get, RETRY_AFTER))
        raise with_log_id(error, log_id)
    content_type = _header(get, "content-type") or ""
    kind = answer_kind(content_type)
    if kind == "stream" and not _is_missing(raw.body):
        # The very stream object goes on: Python never touches a chunk.
        return StreamResult(raw.body, log_id, cache_status)
    if kind == "json":
        try:
            text = str(await raw.text())
            data = json_answer(text)
        except JsException as exc:
            raise with_log_id(binding_error(exc), log_id) from exc
        except BackendError as failure:
            raise with_log_id(failure, log_id) from None
        # The answer goes on as read: the core sends these bytes instead of encoding `data`
        # again. They are the upstream's bytes whenever those are UTF-8 without a BOM; else
        # what `text()` decoded (Fetch's UTF-8 decode), which is also what `data` holds.
        return JsonResult(data, log_id, cache_status, body=text.encode())
    await _discard(raw)
    raise with_log_id(unreadable(status, content_type), log_id)


def is_response(value: Any) -> bool:
    """Tell whether `value` is a JS Response."""
    return is_js(value) and bool(_js().is_response(value))


def _header(get: Any, name: str) -> str | None:
    value = get(name)
    return value if isinstance(value, str) else None  # JS null may arrive as `jsnull`


def _gateway_header(get: Any, name: str) -> str | None:
    return gateway_value(_header(get, name))


async def _error_text(raw: Any) -> str:
    if _is_missing(raw.body):
        return ""
    try:
        data = await _read_at_most(raw.body, MAX_ERROR_BODY_BYTES)
    except JsException:
        return ""  # the status still says what happened
    return error_text(data)


async def _discard(raw: Any) -> None:
    # An unread body holds the upstream subrequest open until the isolate drops it.
    if _is_missing(raw.body):
        return
    with contextlib.suppress(JsException):
        await raw.body.cancel()
