"""Rounds of each figure for both servers, and how airelay compares with the bare app."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Literal

# A ratio for CPU and req/s; for times, what airelay adds to the bare app's.
Compare = Literal["ratio", "added"]


@dataclass
class Figures:
    """Rounds of one metric for the bare app and airelay."""

    bare: list[float] = field(default_factory=list)
    airelay: list[float] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        """Record one round's value for `name`'s server."""
        getattr(self, name).append(value)

    def medians(self) -> tuple[float, float]:
        """Return the median of each side."""
        return statistics.median(self.bare), statistics.median(self.airelay)

    def versus(self, compare: Compare) -> float:
        """Return airelay's median against the bare app's, as `compare` says."""
        bare, relay = self.medians()
        return relay / bare if compare == "ratio" else relay - bare


# {scenario name: {metric: Figures}}
StackFigures = dict[str, dict[str, Figures]]


def shown(figure: float, compare: Compare) -> str:
    """Return a comparison as the report prints it."""
    return f"{figure:.2f}x" if compare == "ratio" else f"{figure:+.3f} ms"
