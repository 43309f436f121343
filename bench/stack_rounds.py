"""One stack's rounds, the two servers taking turns, and its table of medians."""

from __future__ import annotations

from pathlib import Path

from stack_chunks import chunk_cpu
from stack_figures import Compare, Figures, StackFigures, shown
from stack_latency import latency
from stack_load import wrk
from stack_scenarios import LONG, SCENARIOS, answers_file
from stack_servers import serve

# (metric, label, format, comparison), in the table's order.
ROWS: tuple[tuple[str, str, str, Compare], ...] = (
    ("cpu", "CPU us/request (c=32)", "{:.0f}", "ratio"),
    ("rps", "req/s (c=32)", "{:.0f}", "ratio"),
    ("p50", "p50 ms (c=1)", "{:.3f}", "added"),
    ("p99", "p99 ms (c=1)", "{:.3f}", "added"),
    ("ttfb", "first byte ms (c=1)", "{:.3f}", "added"),
    ("chunk", "CPU us/chunk", "{:.1f}", "ratio"),
)


def run_stack(stack: str, workdir: Path, duration: int, repeat: int, requests: int) -> StackFigures:
    """Measure every scenario on one stack, `repeat` rounds a figure."""
    results = {s.name: {row[0]: Figures() for row in ROWS} for s in SCENARIOS}
    answers = answers_file(workdir)
    with (
        serve("bare", stack, workdir, answers) as bare,
        serve("airelay", stack, workdir, answers) as relay,
    ):
        for scenario in SCENARIOS:
            body = scenario.body(LONG)
            figures = results[scenario.name]
            for _ in range(repeat):
                for server in (bare, relay):
                    rate, cpu = wrk(server, scenario.path, body, duration, workdir)
                    figures["rps"].add(server.name, rate)
                    figures["cpu"].add(server.name, cpu)
                    timed = latency(server, scenario.path, body, requests)
                    for metric in ("p50", "p99", "ttfb"):
                        figures[metric].add(server.name, timed[metric])
                    if scenario.stream:
                        chunk = chunk_cpu(server, scenario, cpu, duration, workdir)
                        figures["chunk"].add(server.name, chunk)
    return results


def print_stack(stack: str, results: StackFigures) -> None:
    """Print one stack's table."""
    print(f"\n{stack}  (medians; bare | airelay | airelay vs bare)")
    for scenario in SCENARIOS:
        print(f"  {scenario.name}")
        for metric, label, fmt, compare in ROWS:
            figures = results[scenario.name][metric]
            if not figures.bare or (metric in ("ttfb", "chunk") and not scenario.stream):
                continue
            bare, relay = figures.medians()
            versus = shown(figures.versus(compare), compare)
            print(f"    {label:<24}{fmt.format(bare):>10}{fmt.format(relay):>10}  {versus}")
