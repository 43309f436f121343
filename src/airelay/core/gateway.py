"""Build the binding's third argument, `{"gateway": {...}}`, from settings and caller headers."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from airelay.core.errors import RelayError
from airelay.core.limits import check_depth
from airelay.core.settings import Settings
from airelay.core.types import Request

MAX_METADATA_ENTRIES = 5  # AI Gateway's own limit
MAX_METADATA_CHARS = 4_096
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
_EVENT_ID = re.compile(r"[\x21-\x7e]{1,128}")
_CACHE_KEY = re.compile(r"[\x21-\x7e]{1,512}")
# ASCII digits only: str.isdigit() also passes "²", which int() then refuses.
_SECONDS = re.compile(r"[0-9]{1,9}")
_TRUE, _FALSE = ("true", "1"), ("false", "0")


def gateway_options(
    settings: Settings,
    request: Request | None = None,
    relay_metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Return the AI Gateway options for one call; unset options are left out, not nulled."""
    gateway: dict[str, Any] = {"id": settings.gateway_id}
    optional = {
        "skipCache": settings.skip_cache,
        "cacheTtl": settings.cache_ttl,
        "collectLog": settings.collect_log,
        "requestTimeoutMs": settings.request_timeout_ms,
    }
    gateway.update({key: value for key, value in optional.items() if value is not None})
    retries = {
        "maxAttempts": settings.max_attempts,
        "retryDelayMs": settings.retry_delay_ms,
        "backoff": settings.backoff,
    }
    retries = {key: value for key, value in retries.items() if value is not None}
    if retries:
        gateway["retries"] = retries
    caller = caller_options(settings, request) if request is not None else {}
    caller_metadata = caller.pop("metadata", {})
    if settings.skip_cache:
        # An operator who turned caching off keeps it off: a caller may only skip more.
        caller.pop("skipCache", None)
    gateway.update(caller)
    metadata = merge_metadata(relay_metadata or {}, caller_metadata)
    if metadata:
        gateway["metadata"] = metadata
    return {"gateway": gateway}


def caller_options(settings: Settings, request: Request) -> dict[str, Any]:
    """Read the allowlisted `cf-aig-*` request headers; raise 400 naming a bad one."""
    options: dict[str, Any] = {}
    skip = request.header("cf-aig-skip-cache")
    if skip is not None:
        value = skip.strip().lower()
        if value not in _TRUE + _FALSE:
            raise _bad_header("cf-aig-skip-cache", "expected true or false")
        options["skipCache"] = value in _TRUE
    ttl = request.header("cf-aig-cache-ttl")
    if ttl is not None:
        ceiling = settings.max_caller_cache_ttl
        if not _SECONDS.fullmatch(ttl.strip()) or not 60 <= int(ttl) <= ceiling:
            raise _bad_header("cf-aig-cache-ttl", f"expected whole seconds from 60 to {ceiling}")
        options["cacheTtl"] = int(ttl)
    event_id = request.header("cf-aig-event-id")
    if event_id is not None:
        if not _EVENT_ID.fullmatch(event_id):
            raise _bad_header("cf-aig-event-id", "expected 1 to 128 visible ASCII characters")
        options["eventId"] = event_id
    cache_key = request.header("cf-aig-cache-key")
    if cache_key is not None:
        # A caller-chosen cache key could read another caller's cached answers.
        if not settings.allow_caller_cache_key:
            raise _bad_header(
                "cf-aig-cache-key",
                "not settable by callers on this relay (AI_GATEWAY_ALLOW_CALLER_CACHE_KEY)",
            )
        if not _CACHE_KEY.fullmatch(cache_key):
            raise _bad_header("cf-aig-cache-key", "expected 1 to 512 visible ASCII characters")
        options["cacheKey"] = cache_key
    metadata = request.header("cf-aig-metadata")
    if metadata is not None:
        options["metadata"] = _parse_metadata(metadata)
    return options


def merge_metadata(relay: dict[str, str], caller: dict[str, Any]) -> dict[str, Any]:
    """Put the caller's entries under the relay's (the relay's keys win), at most 5 in all."""
    merged = {**caller, **relay}
    if len(merged) > MAX_METADATA_ENTRIES:
        room = MAX_METADATA_ENTRIES - len(relay)
        raise _bad_header(
            "cf-aig-metadata",
            f"at most {room} entries besides the relay's own ({', '.join(sorted(relay))}); "
            f"AI Gateway keeps {MAX_METADATA_ENTRIES} in all",
        )
    return merged


def _parse_metadata(raw: str) -> dict[str, Any]:
    if len(raw) > MAX_METADATA_CHARS:
        raise _bad_header("cf-aig-metadata", f"longer than {MAX_METADATA_CHARS} characters")
    check_depth(raw, "The cf-aig-metadata header")
    try:
        # NaN, Infinity and 1e999 are not JSON numbers the binding can send on.
        value = json.loads(raw, parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError):
        raise _bad_header("cf-aig-metadata", "expected a JSON object") from None
    if not isinstance(value, dict):
        raise _bad_header("cf-aig-metadata", "expected a JSON object")
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool) and item is not None:
            raise _bad_header(
                "cf-aig-metadata",
                f"entry {key!r}: values must be strings, numbers, booleans or null",
            )
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_SAFE_INTEGER:
            # Past 2**53 a JSON number no longer means the same integer to JS.
            raise _bad_header("cf-aig-metadata", f"entry {key!r}: integer out of range")
    return value


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"{literal} is out of range")
    return value


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bad_header(name: str, why: str) -> RelayError:
    return RelayError(400, f"Invalid header {name}: {why}.", param=name, code="invalid_header")
