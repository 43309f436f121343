"""CPU per request where it is paid for: `airelay dev` next to a bare ASGI app on the same
uvicorn stack, and the Worker's CPU estimated from the core in CPython and the glue in Pyodide.

    .venv/bin/python bench/http_stack.py [--duration S] [--repeat N] [--stacks h11+asyncio,...]

Per stack (h11+asyncio, httptools+uvloop) and route (chat, streamed chat, streamed responses):
server CPU per request (from /proc/<pid>/stat during a wrk run at c=32), req/s at c=32, p50/p99
of whole answers and time to first SSE byte at c=1 (a blocking-socket client), the per-chunk
cost of streams (CPU slope between a short and a long reply), and airelay against the bare app;
then, in process, both apps' first byte just after sleeping and right after that.
Both servers run side by side with the same interpreter, parser, loop and no access log, and
the rounds alternate between them; figures are medians over the rounds.
Needs `wrk` (Debian package wrk). Worker estimate: core (in process, no HTTP, canned backend)
x the Pyodide/CPython factor bench/glue_pyodide.py measures + the glue's own Pyodide CPU.
The jobs live in bench/stack_*.py; bench/README.md says how to read the report.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The checkout's `tests` (live-server and Pyodide runner helpers) and `src`, for every stack_*.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from stack_asleep import asleep_cost  # noqa: E402
from stack_figures import StackFigures  # noqa: E402
from stack_rounds import print_stack, run_stack  # noqa: E402
from stack_servers import STACKS  # noqa: E402
from stack_targets import print_targets  # noqa: E402
from stack_worker import worker_estimate  # noqa: E402


def machine_load() -> str:
    """Describe how busy the machine is: load averages against cores."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per figure (medians)")
    parser.add_argument("--requests", type=int, default=300, help="c=1 requests per round")
    parser.add_argument(
        "--stacks", default=",".join(STACKS), help="comma-separated stacks, or none"
    )
    parser.add_argument("--core-requests", type=int, default=2000, help="core calls per round")
    parser.add_argument(
        "--pyodide-requests", type=int, default=300, help="glue calls per round (0 skips)"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("http_stack: wrk not found (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    print(f"airelay HTTP stack benchmark: Python {sys.version.split()[0]}; {machine_load()}")
    stacks: dict[str, StackFigures] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for stack in [s for s in args.stacks.split(",") if s and s != "none"]:
            missing = [m for m in stack.split("+") if m in ("httptools", "uvloop")]
            if any(importlib.util.find_spec(m) is None for m in missing):
                print(f"\n{stack}: n/a (install uvicorn[standard])")
                continue
            stacks[stack] = run_stack(stack, workdir, args.duration, args.repeat, args.requests)
            print_stack(stack, stacks[stack])
        if stacks:
            asleep_cost(workdir, args.repeat * args.requests)
    print_targets(stacks, worker_estimate(args.core_requests, args.pyodide_requests))
    print(f"\nafter: {machine_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
