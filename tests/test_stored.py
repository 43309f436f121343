"""GET and DELETE /v1/responses/{id}: served from the local model's store, refused on the Worker."""

from __future__ import annotations

from airelay.core.catalog import PRO
from airelay.core.stored import NOT_KEPT
from tests.client import CoreClient


def test_a_backend_that_keeps_no_responses_says_why_with_a_404() -> None:
    result = CoreClient().get(f"{PRO.path}/resp_abc")
    assert result.status == 404
    assert result.error["message"] == NOT_KEPT
    assert "offers only `run`" in NOT_KEPT


def test_other_methods_on_a_stored_response_get_405_listing_get_and_delete() -> None:
    result = CoreClient().post(f"{PRO.path}/resp_abc", json={})
    assert result.status == 405
    assert result.header("allow") == "GET, DELETE, HEAD, OPTIONS"
