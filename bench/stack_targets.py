"""Issue 11's targets, each next to this run's figure and marked met or missed."""

from __future__ import annotations

from stack_figures import Compare, StackFigures, shown
from stack_scenarios import SCENARIOS
from stack_servers import STACKS

# The targets of every stream on every stack: (metric, comparison, limit).
STREAM_TARGETS: tuple[tuple[str, Compare, float], ...] = (
    ("ttfb", "added", 0.1),
    ("chunk", "ratio", 1.5),
)
# (stack, scenario, metric, comparison, sense, limit)
TARGETS: tuple[tuple[str, str, str, Compare, str, float], ...] = (
    ("h11+asyncio", "chat", "rps", "ratio", ">=", 0.5),
    ("h11+asyncio", "chat", "p50", "added", "<=", 0.1),
    ("httptools+uvloop", "chat", "rps", "ratio", ">=", 0.3),
    *(
        (stack, scenario.name, metric, compare, "<=", limit)
        for stack in STACKS
        for scenario in SCENARIOS
        if scenario.stream
        for metric, compare, limit in STREAM_TARGETS
    ),
)
# The Worker's CPU per chat request, in ms.
WORKER_LIMIT_MS = 1

# The bare app's CPU per h11 chat request in issue 11's own table: how fast the machine was
# when the targets' absolute times were set.
ISSUE_BARE_CPU_US = 117


def print_targets(stacks: dict[str, StackFigures], worker: dict[str, float]) -> None:
    """Print each of the issue's targets next to this run's figure."""
    print("\nTargets (issue 11) against this run")
    if "h11+asyncio" in stacks:
        # No airelay code runs in the bare app: its cost is the machine's speed.
        bare_cpu = stacks["h11+asyncio"]["chat"]["cpu"].medians()[0]
        print(
            f"  (the machine: the bare app takes {bare_cpu:.0f} us CPU per h11 chat request in"
            f" this run, {ISSUE_BARE_CPU_US} us in the issue's table)"
        )
    for stack, scenario, metric, compare, sense, limit in TARGETS:
        if stack not in stacks:
            continue
        figure = stacks[stack][scenario][metric].versus(compare)
        met = figure >= limit if sense == ">=" else figure <= limit
        what = f"{stack} {scenario} {metric} ({compare})"
        print(f"  {what:<48}{shown(figure, compare):>10} {sense} {limit:<4} {_verdict(met)}")
    for version, estimate in worker.items():
        what = f"Worker estimate, chat, Pyodide {version}"
        shown_ms = f"{estimate:.2f} ms"
        limit_ms = f"{WORKER_LIMIT_MS:<4}"
        print(f"  {what:<48}{shown_ms:>10} <= {limit_ms} {_verdict(estimate <= WORKER_LIMIT_MS)}")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"
