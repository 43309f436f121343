"""Build the binding's third argument, `{"gateway": {...}}`, from settings and caller headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from airelay.core import jsonio
from airelay.core.errors import RelayError
from airelay.core.flags import parse_flag
from airelay.core.types import Request

MAX_METADATA_ENTRIES = 5  # AI Gateway's own limit
MAX_METADATA_CHARS = 4_096
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
_EVENT_ID = re.compile(r"[\x21-\x7e]{1,128}")
_CACHE_KEY = re.compile(r"[\x21-\x7e]{1,512}")
# ASCII digits only: str.isdigit() also passes "²", which int() then refuses.
_SECONDS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class GatewayPolicy:
    """The operator's AI Gateway options, and what callers may set with `cf-aig-*` headers."""

    gateway_id: str = "default"
    skip_cache: bool | None = None
    cache_ttl: int | None = None
    collect_log: bool | None = None
    request_timeout_ms: int | None = None
    max_attempts: int | None = None
    retry_delay_ms: int | None = None
    backoff: Literal["constant", "linear", "exponential"] | None = None
    allow_caller_cache_key: bool = False
    max_caller_cache_ttl: int = 2_592_000

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """Return the options every call gets (copy before changing)."""
        # Computed once per policy, which settings keep per environment: one of the steps that
        # took the core's chat request from 92 to 58 us (bench/http_stack.py, "Worker CPU
        # estimate", core; docs/performance.md).
        return operator_options(self)


def gateway_options(
    policy: GatewayPolicy,
    request: Request | None = None,
    relay_metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Return the AI Gateway options for one call; unset options are left out, not nulled."""
    gateway = dict(policy.defaults)
    if "retries" in gateway:
        gateway["retries"] = dict(gateway["retries"])
    caller = caller_options(policy, request) if request is not None else {}
    caller_metadata = caller.pop("metadata", {})
    if policy.skip_cache:
        # An operator who turned caching off keeps it off: a caller may only skip more.
        caller.pop("skipCache", None)
    gateway.update(caller)
    metadata = merge_metadata(relay_metadata or {}, caller_metadata)
    if metadata:
        gateway["metadata"] = metadata
    return {"gateway": gateway}


def operator_options(policy: GatewayPolicy) -> dict[str, Any]:
    """Return the gateway options the operator's policy gives every call."""
    gateway: dict[str, Any] = {"id": policy.gateway_id}
    optional = {
        "skipCache": policy.skip_cache,
        "cacheTtl": policy.cache_ttl,
        "collectLog": policy.collect_log,
        "requestTimeoutMs": policy.request_timeout_ms,
    }
    gateway.update({key: value for key, value in optional.items() if value is not None})
    retries = {
        "maxAttempts": policy.max_attempts,
        "retryDelayMs": policy.retry_delay_ms,
        "backoff": policy.backoff,
    }
    retries = {key: value for key, value in retries.items() if value is not None}
    if retries:
        gateway["retries"] = retries
    return gateway


def caller_options(policy: GatewayPolicy, request: Request) -> dict[str, Any]:
    """Read the allowlisted `cf-aig-*` request headers; raise 400 naming a bad one."""
    options: dict[str, Any] = {}
    # Most requests send none of them: one set intersection instead of a lookup per header, one
    # of the steps that took the core's chat request from 92 to 58 us (bench/http_stack.py,
    # "Worker CPU estimate", core; docs/performance.md).
    if request.headers.names().isdisjoint(_CALLER_NAMES):
        return options
    for header in CALLER_HEADERS:
        value = request.header(header.name)
        if value is not None:
            options[header.option] = header.parse(value, policy)
    return options


def _skip_cache(raw: str, policy: GatewayPolicy) -> bool:
    try:
        return parse_flag(raw)
    except ValueError:
        raise _bad_header("cf-aig-skip-cache", "expected true or false") from None


def _cache_ttl(raw: str, policy: GatewayPolicy) -> int:
    ceiling = policy.max_caller_cache_ttl
    if not _SECONDS.fullmatch(raw.strip()) or not 60 <= int(raw) <= ceiling:
        raise _bad_header("cf-aig-cache-ttl", f"expected whole seconds from 60 to {ceiling}")
    return int(raw)


def _event_id(raw: str, policy: GatewayPolicy) -> str:
    if not _EVENT_ID.fullmatch(raw):
        raise _bad_header("cf-aig-event-id", "expected 1 to 128 visible ASCII characters")
    return raw


def _cache_key(raw: str, policy: GatewayPolicy) -> str:
    # A caller-chosen cache key could read another caller's cached answers.
    if not policy.allow_caller_cache_key:
        raise _bad_header(
            "cf-aig-cache-key",
            "not settable by callers on this relay (AI_GATEWAY_ALLOW_CALLER_CACHE_KEY)",
        )
    if not _CACHE_KEY.fullmatch(raw):
        raise _bad_header("cf-aig-cache-key", "expected 1 to 512 visible ASCII characters")
    return raw


@dataclass(frozen=True)
class CallerHeader:
    """A `cf-aig-*` request header callers may set: its option, parser and documentation."""

    name: str
    option: str
    parse: Callable[[str, GatewayPolicy], Any]
    description: str
    schema: dict[str, Any]


_VISIBLE_ASCII = "^[\\x21-\\x7e]{%d,%d}$"
# The one list of caller-settable headers: the gateway policy reads it, CORS allows it in
# preflights and OpenAPI documents it.
CALLER_HEADERS = (
    CallerHeader(
        "cf-aig-skip-cache",
        "skipCache",
        _skip_cache,
        "Bypass the AI Gateway cache for this request (`true`/`false`, or `1`/`0`).",
        {"type": "boolean"},
    ),
    CallerHeader(
        "cf-aig-cache-ttl",
        "cacheTtl",
        _cache_ttl,
        "Cache this answer for that many seconds, at most the operator's "
        "AI_GATEWAY_MAX_CALLER_CACHE_TTL.",
        {"type": "integer", "minimum": 60, "maximum": 2_592_000},
    ),
    CallerHeader(
        "cf-aig-event-id",
        "eventId",
        _event_id,
        "An id of the caller's, recorded in the AI Gateway log.",
        {"type": "string", "pattern": _VISIBLE_ASCII % (1, 128)},
    ),
    CallerHeader(
        "cf-aig-cache-key",
        "cacheKey",
        _cache_key,
        "A custom AI Gateway cache key. Only where the operator sets "
        "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY=true; elsewhere the relay answers 400.",
        {"type": "string", "pattern": _VISIBLE_ASCII % (1, 512)},
    ),
    CallerHeader(
        "cf-aig-metadata",
        "metadata",
        lambda raw, policy: _parse_metadata(raw),
        "A JSON object recorded in the AI Gateway log: string, number, boolean or null values. "
        "The relay adds its own `route` and `key_id` entries and AI Gateway keeps 5 in all, "
        "so callers have 3.",
        {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "type": "object",
                "maxProperties": MAX_METADATA_ENTRIES,
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
            },
        },
    ),
)


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
    try:
        value = jsonio.loads(raw)
    except jsonio.JsonError as exc:
        if exc.too_deep:
            raise RelayError(
                400, f"The cf-aig-metadata header {exc.reason}.", code="too_deep"
            ) from None
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


def _bad_header(name: str, why: str) -> RelayError:
    return RelayError(400, f"Invalid header {name}: {why}.", param=name, code="invalid_header")


_CALLER_NAMES = frozenset(header.name for header in CALLER_HEADERS)
