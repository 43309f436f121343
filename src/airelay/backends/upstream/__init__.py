"""`airelay dev` in front of an OpenAI-compatible upstream instead of the local model."""

from __future__ import annotations

from collections.abc import Mapping

from airelay.backends.upstream.config import (
    BASE_URL_VARIABLE,
    PRESETS,
    UpstreamConfig,
    UpstreamConfigError,
    from_env,
)
from airelay.core.types import Backend

__all__ = [
    "BASE_URL_VARIABLE",
    "FLAG_HELP",
    "PRESETS",
    "UpstreamConfig",
    "UpstreamConfigError",
    "backend",
    "from_env",
]

FLAG_HELP = (
    "relay to an OpenAI-compatible upstream instead of the local model: a base URL "
    f"(…/v1) or a preset, {' or '.join(PRESETS)} (default: {BASE_URL_VARIABLE})"
)


def backend(env: Mapping[str, str]) -> Backend | None:
    """Return the upstream backend `env` configures, or None for the local model."""
    config = from_env(env)
    if config is None:
        return None
    # Imported only when used: httpx is needed only with an upstream.
    from airelay.backends.upstream.http_backend import UpstreamBackend

    return UpstreamBackend(config)
