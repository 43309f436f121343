"""The core's CPU per request on CPython: in process, no HTTP, a backend with a canned answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from stack_scenarios import LONG, Scenario, canned

from airelay.core.app import handle
from airelay.core.types import BackendResult, LogRecord, Platform, Request, StreamResult

KEY = "sk-bench-0123456789"


class CannedBackend:
    """A backend answering at once with a canned answer or stream."""

    def __init__(self, result: BackendResult) -> None:
        self._result = result

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Return the canned answer; a stream is replayed from its list of events."""
        if isinstance(self._result, StreamResult):
            events: list[bytes] = self._result.stream  # type: ignore[assignment]
            return StreamResult(_replay(events))
        return self._result


async def _replay(events: list[bytes]) -> AsyncIterator[bytes]:
    for event in events:
        yield event


def _render(record: LogRecord) -> None:
    record.line()


def core_cpu(scenario: Scenario, rounds: int, n: int) -> float:
    """Return the core's CPU microseconds per request on CPython: in process, no HTTP."""
    result = canned(scenario, LONG)
    env = {"API_KEYS": KEY, "AI_GATEWAY_ID": "default"}
    # The line is rendered, as the Worker's log (print_line) renders it, and then dropped.
    platform = Platform(backend=CannedBackend(result), env=env, log=_render)
    body = scenario.body(LONG)
    headers = (
        ("content-type", "application/json"),
        ("content-length", str(len(body))),
        ("authorization", f"Bearer {KEY}"),
    )

    async def measure() -> list[float]:
        times = []
        for _ in range(rounds + 1):
            started = time.process_time_ns()
            for _ in range(n):
                # A stream is left unread: the Worker hands it on untouched, so the core's work
                # ends when it returns the response.
                response = await handle(Request("POST", scenario.path, headers, body), platform)
                assert response.status == 200, response.body
            times.append((time.process_time_ns() - started) / n / 1e3)
        return times[1:]  # the first round warms up

    # The least-disturbed round, as for the glue (bench/glue_pyodide.py).
    return min(asyncio.run(measure()))
