"""Build the binding's third argument, `{"gateway": {...}}`, from settings."""

from __future__ import annotations

from typing import Any

from airelay.settings import Settings


def gateway_options(settings: Settings) -> dict[str, Any]:
    """Return the AI Gateway options for one call; unset settings are left out, not nulled."""
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
    return {"gateway": gateway}
