"""`airelay dev` in front of another `airelay dev`: the relay's upstream path over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.live_server import LiveServer, live_server


@contextmanager
def relay_in_front_of_airelay(
    *, relay_env: dict[str, str] | None = None, upstream_env: dict[str, str] | None = None
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Run an upstream `airelay dev` (local model) and a relay to it; yield (relay, upstream)."""
    with live_server(upstream_env) as upstream:
        # The upstream is the free local model, so every tool type may reach it, as its operator
        # would set; an upstream's default is the Worker's narrower one.
        env = {"UPSTREAM_BASE_URL": f"{upstream.url}/v1", "ALLOWED_TOOLS": "*", **(relay_env or {})}
        with live_server(env) as relay:
            yield relay, upstream
