"""The pieces every hosted tool's builder shares: items in steps, citations, ids and deltas."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from airelay.backends.local.turn import quoted

Item = dict[str, Any]
Event = dict[str, Any]
_PIECE = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True)
class Step:
    """One output item: as `response.output_item.added` shows it, its own events, and done."""

    added: Item
    done: Item
    events: tuple[Event, ...] = ()

    def stream(self, output_index: int) -> list[Event]:
        """Return this item's events in order at `output_index`, without sequence numbers."""
        return [
            {
                "type": "response.output_item.added",
                "output_index": output_index,
                "item": self.added,
            },
            *({**event, "output_index": output_index} for event in self.events),
            {"type": "response.output_item.done", "output_index": output_index, "item": self.done},
        ]


@dataclass(frozen=True)
class Citation:
    """A span of the answer that a tool's result backs, as an annotation of the output text."""

    quote: str
    annotation: Item

    def place(self, text: str) -> Item | None:
        """Return the annotation placed on `quote` in `text`, or None if the text lacks it."""
        start = text.find(self.quote)
        if start < 0:
            return None
        end = start + len(self.quote)
        if self.annotation["type"] == "url_citation":
            return {**self.annotation, "start_index": start, "end_index": end}
        return {**self.annotation, "index": end}


@dataclass(frozen=True)
class HostedAnswer:
    """What a hosted tool adds to a response: its items, and the result the answer quotes."""

    steps: tuple[Step, ...]
    # The text the answer quotes; None when the response ends with the items (an approval
    # request, or a call the client runs and answers in its next request).
    result: str | None
    citations: tuple[Citation, ...] = field(default=())

    @property
    def items(self) -> list[Item]:
        """Return the finished output items."""
        return [step.done for step in self.steps]

    def annotations(self, text: str) -> list[Item]:
        """Return the annotations of the answer `text`, each placed on the span it backs."""
        placed = (citation.place(text) for citation in self.citations)
        return [annotation for annotation in placed if annotation is not None]


def ident(seed: str, prefix: str, n: int = 0) -> str:
    """Return a deterministic id with OpenAI's prefix for the kind (`ci`, `mcp`, `ig`, ...)."""
    digest = hashlib.sha256(f"{seed}:{prefix}:{n}".encode()).hexdigest()
    return f"{prefix}_local{digest[:40]}"


def pieces(text: str) -> list[str]:
    """Split `text` into the deltas a stream sends; they concatenate back to `text`."""
    return _PIECE.findall(text) or [text]


def _streamed(kind: str, where: Item, field: str, text: str) -> tuple[Item, ...]:
    """Return `text` as `{kind}.delta` events, a piece each, then `{kind}.done` with it whole."""
    return (
        *({"type": f"{kind}.delta", **where, "delta": piece} for piece in pieces(text)),
        {"type": f"{kind}.done", **where, field: text},
    )


def _said(text: str) -> str:
    return quoted(text) or "nothing"
