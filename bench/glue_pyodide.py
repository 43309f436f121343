"""What the Worker glue costs per request in Pyodide (the Python Workers runtime), next to the
same code in CPython. One run, printed; not part of the test suite.

    .venv/bin/python bench/glue_pyodide.py [--requests N] [--pyodide 314.0.7|0.28.3] [--json]

Pyodide side: real Pyodide under Node (314.0.7, Python 3.14, unless --pyodide names the other
runtime) with the workers-runtime-sdk wheel and the JS stand-in for `env.AI`, which answers
with a raw JSON Response as workerd does for `returnRawResponse` (tests/pyodide/runner.mjs).
CPython side: the same airelay.hosts.worker code over pure-Python stand-ins for
`js`/`pyodide`/`workers` (bench/fake_runtime.py), so the ratio is Pyodide's interpreter plus
its JS boundary against native Python doing the same steps: the "glue factor".
It also times the core's own pydantic-free per-request steps (bench/core_workload.py) on both
sides: their ratio, `core_factor`, is the one to multiply the core's CPython CPU by, since the
core never crosses to JS nor awaits a JS promise (the glue factor is an upper bound for it).
Last, in Pyodide only, each of the glue's speed tricks against the path it replaced
(glue_workload.measure_tricks, each pair in alternating blocks): the figures the glue's
comments cite, by the trick's name.
Needs what the Pyodide test tier needs: `npm ci` and scripts/fetch-pyodide-deps.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import core_workload  # noqa: E402
import fake_runtime  # noqa: E402
import glue_workload  # noqa: E402
from tests.pyodide.runner_client import (  # noqa: E402
    DEFAULT_PYODIDE,
    PYODIDE_RUNTIMES,
    WHEEL_DIR,
    Pieces,
    PyodideRunner,
    locate,
)

# Writes the two workload modules into Pyodide's file system and imports them. PyJWT, which
# core/auth.py imports, goes in as the test tier installs it
# (tests/pyodide/test_worker_webcrypto.py): npm's Pyodide ships `ssl` unvendored, and PyJWT
# imports it only for a type annotation.
# Modules outlive a snippet, so the env and the request maker wait in `bench_state`.
PYODIDE_SETUP = """
import base64, io, json, pathlib, site, sys, types, zipfile
import stand_ins

folder = pathlib.Path("/tmp/bench")
folder.mkdir(exist_ok=True)
for name, text in {sources!r}.items():
    (folder / f"{{name}}.py").write_text(text)
sys.path.insert(0, str(folder))
if {pyjwt!r}:
    try:
        import ssl
    except ModuleNotFoundError:
        sys.modules["ssl"] = types.ModuleType("ssl")
        sys.modules["ssl"].SSLContext = type("SSLContext", (), {{}})
    with zipfile.ZipFile(io.BytesIO(base64.b64decode({pyjwt!r}))) as archive:
        archive.extractall(site.getsitepackages()[0])
import core_workload
import glue_workload

state = types.ModuleType("bench_state")
state.env = stand_ins.makeEnv('{{"AI_GATEWAY_ID": "default"}}', '{{"rateLimiter": false}}')
state.env.AI.answerJsonAlways(json.dumps(glue_workload.ANSWER))
headers = json.dumps(glue_workload.REQUEST_HEADERS)
body = base64.b64encode(glue_workload.REQUEST_BODY).decode()
state.make_request = lambda: stand_ins.makeRequest(
    "POST", "https://relay.example/v1/chat/completions", headers, body
)
sys.modules["bench_state"] = state
"""

PYODIDE_ROUND = """
import bench_state, core_workload, glue_workload, js, time

async def await_promise(n):
    started = time.perf_counter()
    for _ in range(n):
        await js.Promise.resolve(None)
    return (time.perf_counter() - started) / n * 1e6

{{
    "glue": await glue_workload.measure(bench_state.make_request, bench_state.env, {n}, 1),
    "core": core_workload.measure({n}, 1),
    "await": {{"JS promise": [await await_promise({n})]}},
    "tricks": await glue_workload.measure_tricks(bench_state.make_request, bench_state.env, {n}),
}}
"""
# serve awaits three JS promises: the request body, the binding's answer, and its text.
SERVE_AWAITS = 3

Rounds = dict[str, list[float]]


def _pyjwt_wheel() -> str:
    """Return the pinned PyJWT wheel as base64, or "" when it is not fetched."""
    wheels = sorted(WHEEL_DIR.glob("pyjwt-*-py3-none-any.whl"))
    return base64.b64encode(wheels[-1].read_bytes()).decode() if wheels else ""


def cpython_round() -> Callable[[int], dict[str, Rounds]]:
    """Set up the glue over the pure-Python stand-ins; return one timed round in this CPython."""
    fake_runtime.install()
    env = fake_runtime.Env(AI=fake_runtime.Ai(glue_workload.ANSWER), AI_GATEWAY_ID="default")

    def make_request() -> fake_runtime.FakeRequest:
        return fake_runtime.FakeRequest(
            "POST",
            "https://relay.example/v1/chat/completions",
            glue_workload.REQUEST_HEADERS,
            glue_workload.REQUEST_BODY,
        )

    def one_round(n: int) -> dict[str, Rounds]:
        glue = asyncio.run(glue_workload.measure(make_request, env, n, 1))
        return {"glue": glue, "core": core_workload.measure(n, 1)}

    return one_round


ROUNDS = 5


def measure_both(pieces: Pieces, n: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Time both workloads in Pyodide and in CPython, rounds interleaved; return the minima."""
    # Interleaved, a load that comes and goes on the machine weighs on both sides alike, so
    # the ratios hold better than the absolute figures. The first round only warms up. Other
    # work on a shared machine only ever adds time, so the least-disturbed round (the minimum,
    # as the timeit docs advise) is the one that tells the code's own cost.
    sources = {
        name: (BENCH / f"{name}.py").read_text() for name in ("glue_workload", "core_workload")
    }
    cpython = cpython_round()
    collected: dict[str, dict[str, Rounds]] = {"pyodide": {}, "cpython": {}}
    with tempfile.TemporaryFile() as stderr:
        runner = PyodideRunner(pieces, stderr)
        try:
            runner.run(PYODIDE_SETUP.format(sources=sources, pyjwt=_pyjwt_wheel()), timeout=120)
            for index in range(ROUNDS + 1):
                got = {
                    "pyodide": runner.run(PYODIDE_ROUND.format(n=n), timeout=600),
                    "cpython": cpython(n),
                }
                if index == 0:
                    continue
                for side, workloads in got.items():
                    for workload, steps in workloads.items():
                        into = collected[side].setdefault(workload, {})
                        for step, times in steps.items():
                            into.setdefault(step, []).extend(times)
        finally:
            runner.close()
    versions = {k: str(runner.info[k]) for k in ("pyodide", "python", "node")}
    minima = {
        side: {
            workload: {step: min(times) for step, times in steps.items()}
            for workload, steps in workloads.items()
        }
        for side, workloads in collected.items()
    }
    return minima["pyodide"], minima["cpython"], versions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="calls per round")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--pyodide", choices=list(PYODIDE_RUNTIMES), default=DEFAULT_PYODIDE, help="npm pyodide"
    )
    args = parser.parse_args()
    pieces = locate(args.pyodide)
    if not isinstance(pieces, Pieces):
        print(f"glue_pyodide: {pieces}", file=sys.stderr)
        return 2
    in_pyodide, in_cpython, versions = measure_both(pieces, args.requests)
    pyodide_us, core_pyodide = in_pyodide["glue"], in_pyodide["core"]
    cpython_us, core_cpython = in_cpython["glue"], in_cpython["core"]
    # Only steps both sides ran: `auth` needs PyJWT in Pyodide.
    core_steps = [step for step in core_cpython if step in core_pyodide]
    core_us = {
        "pyodide": sum(core_pyodide[step] for step in core_steps),
        "cpython": sum(core_cpython[step] for step in core_steps),
    }
    core_factor = core_us["pyodide"] / core_us["cpython"]
    glue_factor = pyodide_us["serve"] / cpython_us["serve"]
    # Pyodide hands a JS promise to Python as an asyncio Future of its loop (pyodide.webloop),
    # whose completion runs two loop callbacks, each a JS task of its own: the floor per await.
    await_us = in_pyodide["await"]["JS promise"]
    if args.json:
        figures = {
            "await_us": await_us,
            "serve_awaits": SERVE_AWAITS,
            "pyodide_us": pyodide_us,
            "cpython_us": cpython_us,
            "glue_factor": glue_factor,
            "core_workload_us": core_us,
            "core_steps_us": {
                "pyodide": {step: core_pyodide[step] for step in core_steps},
                "cpython": {step: core_cpython[step] for step in core_steps},
            },
            "core_factor": core_factor,
            "tricks_us": in_pyodide["tricks"],
            **versions,
        }
        print(json.dumps(figures))
        return 0
    rounds = f"least of {ROUNDS} rounds of {args.requests}, Pyodide and CPython rounds interleaved"
    print(f"Worker glue, microseconds per request ({rounds}, one run)")
    print(
        f"  Pyodide {versions['pyodide']} (Python {versions['python']}, Node {versions['node']})"
        f" vs CPython {platform.python_version()} with pure-Python js/pyodide/workers stand-ins"
    )
    print(f"  {'step':<22}{'Pyodide':>10}{'CPython':>10}{'ratio':>8}")
    for step, pyodide_time in pyodide_us.items():
        cpython_time = cpython_us[step]
        ratio = pyodide_time / cpython_time
        print(f"  {step:<22}{pyodide_time:>10.1f}{cpython_time:>10.1f}{ratio:>7.1f}x")
    print("  serve = to_core_request + body read + AiBinding.run + to_workers_response + wiring;")
    print("  the stand-in binding answers at once, so this is CPU only; core work excluded.")
    print(f"  glue factor (serve): {glue_factor:.1f}x")
    print(
        f"  awaiting one JS promise: {await_us:.1f} us in Pyodide; serve awaits {SERVE_AWAITS}"
        f" ({SERVE_AWAITS * await_us:.0f} us)"
    )
    print()
    print("The core's pydantic-free per-request steps (bench/core_workload.py), same interpreters")
    print(f"  {'step':<22}{'Pyodide':>10}{'CPython':>10}{'ratio':>8}")
    for step in core_steps:
        pyodide_time, cpython_time = core_pyodide[step], core_cpython[step]
        ratio = pyodide_time / cpython_time
        print(f"  {step:<22}{pyodide_time:>10.1f}{cpython_time:>10.1f}{ratio:>7.1f}x")
    total_ratio = f"{core_factor:>7.1f}x"
    print(f"  {'total':<22}{core_us['pyodide']:>10.1f}{core_us['cpython']:>10.1f}{total_ratio}")
    print(f"  core_factor: {core_factor:.1f}x (Worker estimate: core x core_factor + glue)")
    print()
    print(
        f"The glue's speed tricks against the paths they replaced, in Pyodide {versions['pyodide']}"
    )
    print(f"  {'trick':<36}{'glue':>9}{'instead':>9}{'saved':>9}")
    tricks = in_pyodide["tricks"]
    for key in tricks:
        trick, _, side = key.rpartition(": ")
        if side == "glue":
            glue_time, instead_time = tricks[key], tricks[f"{trick}: instead"]
            saved = instead_time - glue_time
            print(f"  {trick:<36}{glue_time:>9.1f}{instead_time:>9.1f}{saved:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
