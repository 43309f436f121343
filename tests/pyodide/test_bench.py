"""The glue benchmark still runs, in both runtimes (its figures are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.pyodide.runner_client import PyodideRunner

pytestmark = pytest.mark.pyodide


def test_glue_benchmark_measures_every_step_in_both_runtimes(pyodide: PyodideRunner) -> None:
    # The session runner's fixture proves the pieces are installed; the bench starts its own,
    # on the same Pyodide version.
    version = pyodide.info["pyodide"]
    bench = REPO / "bench" / "glue_pyodide.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--requests", "2", "--json", "--pyodide", version],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["pyodide"] == version
    steps = {"serve", "to_core_request", "AiBinding.run", "to_workers_response"}
    for runtime in ("pyodide_us", "cpython_us"):
        assert set(figures[runtime]) == steps
        assert all(value > 0 for value in figures[runtime].values())
