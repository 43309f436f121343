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
        self._windows: dict[str, tuple[int, int]] = {}

    async def limit(self, key: str) -> bool:
        """Count one request for `key`; return False when it is over the limit."""
        window = math.floor(self._clock() / self.period)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            count = 0
            # Drop every stale window, so memory stays bounded by the callers of this window.
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        if count >= self.max_requests:
            return False
        self._windows[key] = (window, count + 1)
        return True
