"""The SDK end-to-end suite once more, through `airelay dev --upstream` (another airelay dev)."""

from __future__ import annotations

import pytest

from tests import test_e2e_sdk
from tests.upstream_servers import collected_again

pytestmark = pytest.mark.e2e

# The very tests of test_e2e_sdk, collected again through an upstream.
globals().update(collected_again(test_e2e_sdk))
