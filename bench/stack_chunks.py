"""What a stream costs per chunk: the server's CPU slope between a short and a long reply."""

from __future__ import annotations

from pathlib import Path

from stack_load import wrk
from stack_scenarios import LONG, SHORT, Scenario, canned
from stack_servers import Server

from airelay.core.types import StreamResult


def chunks_of(scenario: Scenario, prompt: str) -> int:
    """Return how many SSE events the answer to `prompt` has (1 for a JSON answer)."""
    result = canned(scenario, prompt)
    return len(result.stream) if isinstance(result, StreamResult) else 1  # type: ignore[arg-type]


def chunk_cpu(
    server: Server, scenario: Scenario, long_cpu: float, duration: int, workdir: Path
) -> float:
    """Return CPU microseconds per chunk, from `long_cpu` (the long reply's) and a short reply's."""
    extra = chunks_of(scenario, LONG) - chunks_of(scenario, SHORT)
    # Measured right after the long reply so that both see the same load; the slope counts
    # work that grows with the prompt too.
    _, short_cpu = wrk(server, scenario.path, scenario.body(SHORT), duration, workdir)
    return (long_cpu - short_cpu) / extra
