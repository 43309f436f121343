"""What the Worker glue costs per request in Pyodide (the Python Workers runtime), next to the
same code in CPython. One run, printed; not part of the test suite.

    .venv/bin/python bench/glue_pyodide.py [--requests N] [--pyodide 314.0.7|0.28.3]

Pyodide side: real Pyodide under Node (314.0.7, Python 3.14, unless --pyodide names the other
runtime) with the workers-runtime-sdk wheel and the JS stand-in for `env.AI`, which answers
with a raw JSON Response as workerd does for `returnRawResponse` (tests/pyodide/runner.mjs).
CPython side: the same airelay.hosts.worker code over pure-Python stand-ins for
`js`/`pyodide`/`workers` (bench/fake_runtime.py), so the ratio is Pyodide's interpreter plus
its JS boundary against native Python doing the same steps.
Needs what the Pyodide test tier needs: `npm ci` and scripts/fetch-pyodide-deps.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import fake_runtime  # noqa: E402
import glue_workload  # noqa: E402
from tests.pyodide.runner_client import (  # noqa: E402
    DEFAULT_PYODIDE,
    PYODIDE_RUNTIMES,
    Pieces,
    PyodideRunner,
    locate,
)

PYODIDE_DRIVER = """
import base64, json, stand_ins
env = stand_ins.makeEnv('{{"AI_GATEWAY_ID": "default"}}', '{{"rateLimiter": false}}')
env.AI.answerJsonAlways(json.dumps(ANSWER))
headers = json.dumps(REQUEST_HEADERS)
body = base64.b64encode(REQUEST_BODY).decode()


def make_request():
    return stand_ins.makeRequest(
        "POST", "https://relay.example/v1/chat/completions", headers, body
    )


await measure(make_request, env, {n})
"""


def in_pyodide(pieces: Pieces, n: int) -> tuple[dict[str, float], dict[str, str]]:
    """Time the workload in real Pyodide."""
    source = (BENCH / "glue_workload.py").read_text()
    with tempfile.TemporaryFile() as stderr:
        runner = PyodideRunner(pieces, stderr)
        try:
            timings = runner.run(source + PYODIDE_DRIVER.format(n=n), timeout=600)
        finally:
            runner.close()
    versions = {k: str(runner.info[k]) for k in ("pyodide", "python", "node")}
    return timings, versions


def in_cpython(n: int) -> dict[str, float]:
    """Time the same workload in this CPython, over the pure-Python stand-ins."""
    fake_runtime.install()
    env = fake_runtime.Env(AI=fake_runtime.Ai(glue_workload.ANSWER), AI_GATEWAY_ID="default")

    def make_request() -> fake_runtime.FakeRequest:
        return fake_runtime.FakeRequest(
            "POST",
            "https://relay.example/v1/chat/completions",
            glue_workload.REQUEST_HEADERS,
            glue_workload.REQUEST_BODY,
        )

    return asyncio.run(glue_workload.measure(make_request, env, n))


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
    pyodide_us, versions = in_pyodide(pieces, args.requests)
    cpython_us = in_cpython(args.requests)
    if args.json:
        print(json.dumps({"pyodide_us": pyodide_us, "cpython_us": cpython_us, **versions}))
        return 0
    print(f"Worker glue, microseconds per request (median of 3 rounds of {args.requests}, one run)")
    print(
        f"  Pyodide {versions['pyodide']} (Python {versions['python']}, Node {versions['node']})"
        f" vs CPython {platform.python_version()} with pure-Python js/pyodide/workers stand-ins"
    )
    print(f"  {'step':<22}{'Pyodide':>10}{'CPython':>10}{'ratio':>8}")
    for step, pyodide_time in pyodide_us.items():
        cpython_time = cpython_us[step]
        ratio = pyodide_time / cpython_time
        print(f"  {step:<22}{pyodide_time:>10.1f}{cpython_time:>10.1f}{ratio:>7.1f}x")
    print("  serve = to_core_request + AiBinding.run + to_workers_response + wiring;")
    print("  the stand-in binding answers at once, so this is CPU only; core work excluded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
