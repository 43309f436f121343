"""The Worker benchmark (bench/worker_pyodide.py) still runs and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import REPO
from tests.live_server import require_worker

pytestmark = pytest.mark.pyodide

ROUTES = {
    "chat_json",
    "chat_stream",
    "responses_json",
    "responses_stream",
    "error_400",
    "models",
    "openapi",
    "health",
}


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    """Run the benchmark with tiny counts; return its --json figures."""
    require_worker()
    bench = REPO / "bench" / "worker_pyodide.py"
    command = [sys.executable, str(bench), "--rounds", "1", "--warm", "2"]
    command += ["--heap-requests", "30", "--chunked-bytes", "300", "--json"]
    command += ["--profile", "chat_json", "--profile-requests", "2"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_the_global_scope_is_timed_with_its_modules(figures: dict[str, Any]) -> None:
    assert figures["pyodide"] == "314.0.7"
    assert figures["global_scope_ms"] > 0
    assert figures["bare_global_scope_ms"] > 0
    assert figures["modules_imported"] > 0
    assert figures["own_share_ms"] == pytest.approx(
        figures["global_scope_ms"] - figures["bare_global_scope_ms"]
    )
    assert "entry" in figures["heaviest_inclusive_ms"]
    assert {"pydantic_core", "airelay.core.models"} <= set(figures["self_ms_by_group"])


def test_every_route_is_timed_first_and_warm(figures: dict[str, Any]) -> None:
    assert set(figures["first_ms"]) == ROUTES
    assert set(figures["warm_ms"]) == ROUTES
    for timing in (*figures["first_ms"].values(), *figures["warm_ms"].values()):
        assert timing["wall"] > 0


def test_the_heap_and_a_chunked_body_are_measured(figures: dict[str, Any]) -> None:
    assert figures["requests_served"] >= 30
    assert figures["heap_after_requests_mb"] >= figures["heap_after_import_mb"] > 0
    chunked = figures["chunked"]
    assert chunked["status"] == 200
    assert chunked["chunks"] == -(-chunked["bytes"] // chunked["chunk_size"])
    assert set(figures["chunked_ways_ms"]) == {"reader", "transform", "whole"}
    assert "tottime" in figures["profile"]
