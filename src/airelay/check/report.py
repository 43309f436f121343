"""Results of a check run: one row per check, as an 80-column table or as JSON."""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass, field
from typing import Literal, TextIO

Status = Literal["pass", "fail", "warn", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "warn", "skip")
REPORT_VERSION = 1

_NAME_WIDTH = 16
_TIME_WIDTH = 7
# "  PASS  <name>  <reason>  <ttfb> <total>" fits in 80 columns.
_REASON_WIDTH = 80 - 2 - 4 - 2 - _NAME_WIDTH - 2 - 2 - _TIME_WIDTH - 1 - _TIME_WIDTH


@dataclass(frozen=True)
class Result:
    """One check's outcome; times in milliseconds (None when the check sent no request)."""

    name: str
    status: Status
    reason: str
    ttfb_ms: float | None = None
    total_ms: float | None = None
    bills: bool = False


@dataclass
class Report:
    """A whole run."""

    url: str
    checker_version: str
    auth: Literal["key", "token", "none"]
    origin: str | None
    model_calls: bool
    relay_version: str | None = None
    results: list[Result] = field(default_factory=list)

    def counts(self) -> dict[Status, int]:
        """Return how many checks ended in each status."""
        return {s: sum(1 for r in self.results if r.status == s) for s in STATUSES}

    @property
    def ok(self) -> bool:
        """Tell whether no check failed."""
        return self.counts()["fail"] == 0

    def as_json(self) -> str:
        """Return the machine-readable report."""
        payload = {
            "report_version": REPORT_VERSION,
            "url": self.url,
            "checker_version": self.checker_version,
            "relay_version": self.relay_version,
            "auth": self.auth,
            "origin": self.origin,
            "model_calls": self.model_calls,
            "ok": self.ok,
            "summary": self.counts(),
            "checks": [asdict(r) for r in self.results],
        }
        return json.dumps(payload, indent=2)

    def as_table(self) -> str:
        """Return the table and summary a person reads."""
        lines = [f"airelay check {self.url}", _setup_line(self), ""]
        head = f"  {'':4}  {'check':<{_NAME_WIDTH}}  {'':<{_REASON_WIDTH}}  "
        lines.append(f"{head}{'ttfb':>{_TIME_WIDTH}} {'total':>{_TIME_WIDTH}}")
        for result in self.results:
            reason = textwrap.wrap(result.reason, _REASON_WIDTH, break_on_hyphens=False) or [""]
            timing = f"{_ms(result.ttfb_ms):>{_TIME_WIDTH}} {_ms(result.total_ms):>{_TIME_WIDTH}}"
            lines.append(
                f"  {result.status.upper():4}  {result.name:<{_NAME_WIDTH}}  "
                f"{reason[0]:<{_REASON_WIDTH}}  {timing}"
            )
            indent = " " * (2 + 4 + 2 + _NAME_WIDTH + 2)
            lines.extend(f"{indent}{more}" for more in reason[1:])
        counts = self.counts()
        lines.append("")
        lines.append(
            f"{len(self.results)} checks: {counts['pass']} passed, {counts['fail']} failed, "
            f"{counts['warn']} warned, {counts['skip']} skipped"
        )
        return "\n".join(lines)


def _setup_line(report: Report) -> str:
    auth = {"key": "with --key", "token": "with --token", "none": "no key"}[report.auth]
    origin = f"origin {report.origin}" if report.origin else "no --origin"
    calls = "model calls on" if report.model_calls else "--no-model-calls"
    relay = f"relay {report.relay_version}" if report.relay_version else "relay version unknown"
    return f"{relay}; {auth}; {origin}; {calls}"


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 10_000:
        return f"{value / 1000:.1f}s"
    return f"{value:.0f}ms"


class Progress:
    """A one-line progress display on a terminal; silent on anything else."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self._stream = stream
        self._total = total
        self._on = stream.isatty()

    def show(self, number: int, name: str) -> None:
        """Say which check is running."""
        if self._on:
            self._stream.write(f"\r\x1b[K[{number:>2}/{self._total}] checking {name}...")
            self._stream.flush()

    def done(self) -> None:
        """Clear the progress line."""
        if self._on:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
