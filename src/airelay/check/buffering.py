"""Tell a stream that arrived as it was produced from one held back and sent in one burst.

The rule (README, "Deploying the Worker"). For each stream, from its request's start:
`total` is when the terminal event (`[DONE]`, `response.completed`/`.incomplete`) arrived and
`gap` how long after the first event it did.

- streamed: the first and the terminal event came in different reads, and `gap` is at least
  STREAMED_MIN_GAP_S and at least STREAMED_MIN_SHARE of `total`. A buffer releases a body in
  one burst: its events arrive within a few milliseconds of each other, however long the model
  took. A live stream spreads them over the model's generation time.
- buffered: not streamed although `total` reached JUDGED_MIN_TOTAL_S, time enough for a live
  stream to have shown a spread.
- too fast to judge: a faster answer (a local model without a token delay) cannot show either.

The run passes when a stream streamed: each route's first event comes at a different point.
On Responses it is `response.created`, which OpenAI sends before the model starts working, so a
live path shows the whole generation time as the gap. On Chat Completions the first chunk waits
for the first visible token, so a reasoning model that spends its few output tokens thinking
sends its chunks together at the end: a burst there alone proves nothing. So the run fails only
when no stream streamed and at least one was slow enough to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from airelay.check.probe import Arrival, Exchange

STREAMED_MIN_GAP_S = 0.05
STREAMED_MIN_SHARE = 0.10
JUDGED_MIN_TOTAL_S = 0.25

Verdict = Literal["streamed", "buffered", "too fast"]


@dataclass(frozen=True)
class Spread:
    """How one stream's events were spread over time."""

    verdict: Verdict
    gap: float
    total: float
    reads: int

    def describe(self, route: str) -> str:
        """Say it in a few words."""
        gap_ms = round(self.gap * 1000)
        if self.verdict == "streamed":
            return f"{route}: first event {gap_ms}ms before the last, {self.reads} reads"
        if self.verdict == "buffered":
            return f"{route}: all events in one burst after {round(self.total * 1000)}ms"
        return f"{route}: too fast to judge ({round(self.total * 1000)}ms)"


def spread(exchange: Exchange, terminal: Arrival) -> Spread:
    """Judge one stream whose terminal event is `terminal`."""
    first = exchange.events[0]
    gap = terminal.at - first.at
    total = terminal.at
    separate = first.read < terminal.read
    if separate and gap >= STREAMED_MIN_GAP_S and gap >= STREAMED_MIN_SHARE * total:
        verdict: Verdict = "streamed"
    elif total >= JUDGED_MIN_TOTAL_S:
        verdict = "buffered"
    else:
        verdict = "too fast"
    return Spread(verdict, gap, total, exchange.reads)
