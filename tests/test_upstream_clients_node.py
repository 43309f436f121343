"""The Node `clients` tier once more, through `airelay dev --upstream` (another airelay dev)."""

from __future__ import annotations

import pytest

from tests import test_clients_node
from tests.upstream_servers import collected_again

pytestmark = pytest.mark.clients

# The very tests of test_clients_node, collected again through an upstream.
globals().update(collected_again(test_clients_node))
