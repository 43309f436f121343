"""bench/http_stack.py still runs each of its jobs end to end, briefly, and the glue benchmark
still reads what the core reads (figures are never asserted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from airelay.core import settings
from tests.conftest import REPO
from tests.pyodide.runner_client import PYODIDE_RUNTIMES, Pieces, locate


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
    # Every route, and every figure of the stack's table (bench/stack_rounds.py).
    for line in ("chat stream", "responses stream", "CPU us/chunk", "first byte ms (c=1)"):
        assert line in result.stdout
    for line in ("CPU us/request (c=32)", "req/s (c=32)", "p50 ms (c=1)", "p99 ms (c=1)"):
        assert result.stdout.count(line) == 3, result.stdout
    assert "core chat" in result.stdout
    # The in-process first byte, requests back to back and after the server slept.
    assert "after 1 ms asleep" in result.stdout
    assert "airelay - bare" in result.stdout
    assert "(the machine: the bare app takes" in result.stdout
    # One verdict line per target the stack run measures: 2 for h11 chat, 2 per stream.
    verdicts = [line for line in result.stdout.splitlines() if line.endswith(("met", "MISSED"))]
    assert len(verdicts) == 6, result.stdout


@pytest.mark.pyodide
def test_http_stack_benchmark_estimates_the_worker_on_both_pyodide_runtimes() -> None:
    missing = [p for p in map(locate, PYODIDE_RUNTIMES) if not isinstance(p, Pieces)]
    if missing and os.environ.get("AIRELAY_REQUIRE_PYODIDE") != "1":
        pytest.skip(str(missing[0]))
    command = [sys.executable, str(REPO / "bench" / "http_stack.py"), "--stacks", "none"]
    command += ["--core-requests", "3", "--pyodide-requests", "3"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    for version in PYODIDE_RUNTIMES:
        assert f"Pyodide {version}: glue" in result.stdout, result.stdout
    awaits = [line for line in result.stdout.splitlines() if "awaiting 3 JS promises" in line]
    assert len(awaits) == len(PYODIDE_RUNTIMES), result.stdout
    estimates = [line for line in result.stdout.splitlines() if "ms = core x" in line]
    assert len(estimates) == len(PYODIDE_RUNTIMES) * 3, result.stdout
    verdicts = [line for line in result.stdout.splitlines() if "Worker estimate, chat" in line]
    assert len(verdicts) == len(PYODIDE_RUNTIMES), result.stdout


def test_the_glue_benchmark_looks_up_every_variable_the_core_reads() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import glue_workload
    finally:
        sys.path.remove(str(REPO / "bench"))
    assert glue_workload.SETTINGS_VARIABLES == settings._NAMES
