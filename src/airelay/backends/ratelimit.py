"""The local host's rate limiter, with the Workers Rate Limiting binding's interface."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class LocalRateLimiter:
    """At most `max_requests` per key in each fixed `period`-second window."""

    def __init__(
        self, max_requests: int, period: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_requests = max_requests
        self.period = period
        self._clock = clock
        self._window: int | None = None
        self._counts: dict[str, int] = {}

    async def limit(self, key: str) -> bool:
        """Count one request for `key`; return False when it is over the limit."""
        window = math.floor(self._clock() / self.period)
        if window != self._window:
            # Forget the last window's callers as soon as a new window starts, whoever calls
            # first: memory stays bounded by the callers of one window.
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0)
        if count >= self.max_requests:
            return False
        self._counts[key] = count + 1
        return True
