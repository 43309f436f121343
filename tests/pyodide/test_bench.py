"""The glue benchmark still runs, in both runtimes (its figures are not asserted)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import REPO
from tests.pyodide.runner_client import PyodideRunner

pytestmark = pytest.mark.pyodide


@functools.cache
def _bench_figures(version: str) -> dict[str, Any]:
    """Run the benchmark briefly on Pyodide `version`; return its --json figures."""
    # The session runner's fixture proves the pieces are installed; the bench starts its own,
    # on the same Pyodide version.
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
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def test_glue_benchmark_measures_every_step_in_both_runtimes(pyodide: PyodideRunner) -> None:
    version = pyodide.info["pyodide"]
    figures = _bench_figures(version)
    assert figures["pyodide"] == version
    steps = {"serve", "to_core_request", "AiBinding.run", "to_workers_response"}
    for runtime in ("pyodide_us", "cpython_us"):
        assert set(figures[runtime]) == steps
        assert all(value > 0 for value in figures[runtime].values())


def test_glue_benchmark_reports_the_core_factor_from_the_core_workload(
    pyodide: PyodideRunner,
) -> None:
    figures = _bench_figures(pyodide.info["pyodide"])
    core = figures["core_workload_us"]
    assert set(core) == {"pyodide", "cpython"}
    assert figures["core_factor"] == pytest.approx(core["pyodide"] / core["cpython"])
    assert figures["glue_factor"] > 0
    steps = figures["core_steps_us"]
    # The same steps on both sides, the real core modules' (auth included: PyJWT goes in).
    assert set(steps["pyodide"]) == set(steps["cpython"])
    assert {"jsonio.loads body", "request_id + log line", "auth key compare"} <= set(
        steps["cpython"]
    )


# The glue's comments cite these rows by name.
GLUE_TRICKS = {
    "JS functions looked up once",
    "JSON encoder built once",
    "JsProxy check cached per type",
    "URL split in Python",
    "request headers in one crossing",
    "declared length: no look at body",
    "env: Platform kept per env object",
    "env: vars in one Object.entries",
    "env: get is the dict's own",
    "binding args as one JSON array",
    "response init as one JSON text",
    "JS Response returned unwrapped",
    "response body as a JS string",
    "upstream headers.get bound once",
}


def test_glue_benchmark_times_each_speed_trick_against_the_path_it_replaced(
    pyodide: PyodideRunner,
) -> None:
    tricks = _bench_figures(pyodide.info["pyodide"])["tricks_us"]
    assert set(tricks) == {
        f"{name}: {side}" for name in GLUE_TRICKS for side in ("glue", "instead")
    }
    assert all(value >= 0 for value in tricks.values())
