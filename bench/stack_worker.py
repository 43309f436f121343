"""The Worker's CPU per request, estimated: the core's CPython CPU in process, times what a
core microsecond costs in Pyodide, plus the glue's own Pyodide CPU (bench/glue_pyodide.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from stack_core import core_cpu
from stack_scenarios import SCENARIOS


def pyodide_runtimes() -> list[str | None]:
    """Return the Pyodide runtimes glue_pyodide.py can be asked for (None: its only one)."""
    try:
        from tests.pyodide import runner_client
    except ImportError:
        return [None]
    runtimes = getattr(runner_client, "PYODIDE_RUNTIMES", None)
    return list(runtimes) if runtimes else [None]


def glue(runtime: str | None, requests: int) -> dict[str, Any] | str:
    """Run bench/glue_pyodide.py for `runtime`; return its figures, or why there are none."""
    command = [sys.executable, str(Path(__file__).with_name("glue_pyodide.py")), "--json"]
    command += ["--requests", str(requests)]
    if runtime is not None:
        command += ["--pyodide", runtime]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        return "timed out"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return lines[-1] if lines else f"exit status {done.returncode}"
    try:
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        float(figures["pyodide_us"]["serve"]) / float(figures["cpython_us"]["serve"])
    except (ValueError, KeyError, IndexError, TypeError, ZeroDivisionError):
        return "unreadable output"
    return figures


def worker_estimate(core_requests: int, pyodide_requests: int) -> dict[str, float]:
    """Print the core's CPU per route and the Worker estimate; return chat's in ms per Pyodide."""
    chat_ms: dict[str, float] = {}
    core = {s.name: core_cpu(s, 5, core_requests) for s in SCENARIOS}
    print("\nWorker CPU estimate (core: in process, canned backend, CPython; glue: Pyodide)")
    for name, micros in core.items():
        print(f"  core {name:<20}{micros:>8.0f} us CPython")
    runtimes = pyodide_runtimes() if pyodide_requests > 0 else []
    if not runtimes:
        print("  Pyodide: n/a (skipped)")
    for runtime in runtimes:
        figures = glue(runtime, pyodide_requests)
        label = runtime or "default"
        if isinstance(figures, str):
            print(f"  Pyodide {label}: n/a ({figures})")
            continue
        glue_us = float(figures["pyodide_us"]["serve"])
        glue_factor = glue_us / float(figures["cpython_us"]["serve"])
        workload = figures.get("core_workload_us")
        version = figures.get("pyodide", label)
        print(f"  Pyodide {version}: glue {glue_us:.0f} us in Pyodide")
        if "await_us" in figures:
            awaits, await_us = int(figures["serve_awaits"]), float(figures["await_us"])
            print(
                f"    of which awaiting {awaits} JS promises: {awaits * await_us:.0f} us"
                f" ({await_us:.0f} us each, Pyodide's floor)"
            )
        if workload:
            # The core's own code in both interpreters: what its microseconds cost in Pyodide.
            factor = float(workload["pyodide"]) / float(workload["cpython"])
            print(f"    core-code factor {factor:.1f} (the core's pydantic-free steps, both runs)")
            print(f"    glue factor {glue_factor:.1f} (JS crossings and awaits: an upper bound)")
        else:
            factor = glue_factor
            print(f"    glue factor {glue_factor:.1f}")
        for name, micros in core.items():
            estimate = micros * factor + glue_us
            if name == "chat":
                chat_ms[str(version)] = estimate / 1000
            line = f"    {name:<22}{estimate / 1000:>6.2f} ms = core x {factor:.1f} + glue"
            if workload:
                bound = micros * glue_factor + glue_us
                line += f"   (at most {bound / 1000:.2f} ms = core x {glue_factor:.1f} + glue)"
            print(line)
    return chat_ms
