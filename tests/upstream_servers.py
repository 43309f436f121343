"""`airelay dev` in front of another `airelay dev`: the relay's upstream path over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

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


@pytest.fixture(scope="module", name="relay")
def relay_through_upstream() -> Iterator[LiveServer]:
    """Override the two-host relay: `airelay dev` whose answers come from an upstream one."""
    with relay_in_front_of_airelay() as (running, upstream):
        yield running
        # Every model call went on to the upstream, which logged it.
        assert "model: upstream" in running.log()
        assert "/v1/chat/completions" in upstream.log()
        assert "/v1/responses" in upstream.log()


def collected_again(suite: ModuleType) -> dict[str, Any]:
    """Return `suite`'s tests and its `client` fixture, with a `relay` through an upstream."""
    again: dict[str, Any] = {n: v for n, v in vars(suite).items() if n.startswith("test_")}
    if hasattr(suite, "client"):
        again["client"] = suite.client
    again["relay"] = relay_through_upstream
    return again
