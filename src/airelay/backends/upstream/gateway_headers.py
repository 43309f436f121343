"""The relay's AI Gateway options as the `cf-aig-*` request headers the gateway documents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Option -> header, from AI Gateway's header glossary
# (developers.cloudflare.com/ai-gateway/glossary/) and workers-types' AIGatewayHeaders; the
# binding's options (core/gateway.py) are the same settings by other names.
_HEADERS = {
    "skipCache": "cf-aig-skip-cache",
    "cacheTtl": "cf-aig-cache-ttl",
    "cacheKey": "cf-aig-cache-key",
    "metadata": "cf-aig-metadata",
    "collectLog": "cf-aig-collect-log",
    "eventId": "cf-aig-event-id",
    "requestTimeoutMs": "cf-aig-request-timeout",
}
_RETRY_HEADERS = {
    "maxAttempts": "cf-aig-max-attempts",
    "retryDelayMs": "cf-aig-retry-delay",
    "backoff": "cf-aig-backoff",
}


def gateway_headers(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the `cf-aig-*` headers for the binding options `{"gateway": {...}}`."""
    gateway = options.get("gateway") or {}
    headers = [
        (header, _value(gateway[option]))
        for option, header in _HEADERS.items()
        if option in gateway
    ]
    retries = gateway.get("retries") or {}
    headers += [
        (header, _value(retries[option]))
        for option, header in _RETRY_HEADERS.items()
        if option in retries
    ]
    return headers


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        # ASCII JSON: a header value must be; the gateway reads it as JSON.
        return json.dumps(value, separators=(",", ":"))
    return str(value)
