"""The Node `clients` tier once more, through `airelay dev --upstream` (another airelay dev)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import test_clients_node
from tests.live_server import LiveServer
from tests.upstream_servers import relay_in_front_of_airelay

pytestmark = pytest.mark.clients


@pytest.fixture(scope="module")
def relay() -> Iterator[LiveServer]:
    """Override the two-host relay: `airelay dev` whose answers come from an upstream one."""
    with relay_in_front_of_airelay() as (running, upstream):
        yield running
        # Every model call went on to the upstream, which logged it.
        assert "model: upstream" in running.log()
        assert "/v1/chat/completions" in upstream.log()
        assert "/v1/responses" in upstream.log()


# The very tests of test_clients_node, collected here again with this module's `relay`.
globals().update(
    {name: value for name, value in vars(test_clients_node).items() if name.startswith("test_")}
)
