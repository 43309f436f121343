"""The HTTP stack benchmark still runs end to end (its figures are never asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.e2e
def test_http_stack_benchmark_prints_every_route_and_the_worker_estimate() -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk not installed (Debian package wrk; scripts/setup.sh --test installs it)")
    command = [sys.executable, str(REPO / "bench" / "http_stack.py"), "--duration", "1"]
    command += ["--repeat", "1", "--requests", "3", "--core-requests", "3"]
    command += ["--pyodide-requests", "0", "--stacks", "h11+asyncio"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    for line in ("chat stream", "responses stream", "CPU us/chunk", "first byte ms (c=1)"):
        assert line in result.stdout
    assert "core chat" in result.stdout
