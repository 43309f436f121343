"""`airelay check` against `airelay dev --upstream` (another airelay dev): every check passes."""

from __future__ import annotations

import pytest

from tests import check_relays
from tests.test_check import ORIGIN, check, healthy
from tests.upstream_servers import relay_in_front_of_airelay


@pytest.mark.e2e
def test_every_check_passes_through_an_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    # The upstream paces its tokens, so the checker can tell a stream relayed as it comes from
    # one buffered on the way.
    delay = str(int(check_relays.TOKEN_DELAY_S * 1000))
    upstream_env = {"AIRELAY_TOKEN_DELAY_MS": delay}
    # Keyless in front of an upstream, the relay allows no browser origin unless listed.
    relay_env = {"CORS_ALLOW_ORIGINS": ORIGIN}
    with relay_in_front_of_airelay(relay_env=relay_env, upstream_env=upstream_env) as (
        relay,
        upstream,
    ):
        status, _, statuses = check(capsys, relay.url, "--origin", ORIGIN)
        assert "/v1/responses" in upstream.log()
    assert statuses == healthy(**{"wrong key": "skip"})  # loopback and keyless: nothing to try
    assert status == 0
