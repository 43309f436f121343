"""The upstream benchmark still runs end to end (its figures are never asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.e2e
def test_upstream_benchmark_prints_the_three_figures_beside_their_targets() -> None:
    command = [sys.executable, str(REPO / "bench" / "upstream.py"), "--rounds", "5"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for start in ("JSON chat", "streamed chat, first byte", "streamed chat, per chunk"):
        line = next(line for line in lines if line.startswith(start))
        assert line.endswith(("meets)", "misses)")), line
