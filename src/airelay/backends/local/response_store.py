"""A bounded in-memory store of the local model's responses, for `previous_response_id`.

Least recently used first out beyond `max_count`, gone after `ttl` seconds; ids come from
`secrets`, drawn per response and never at import (a Worker's global scope may draw no entropy).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airelay.core.errors import BackendError

MAX_STORED = 1000
STORED_SECONDS = 3600.0


def new_response_id() -> str:
    """Return a fresh response id, unguessable and unique in practice (192 random bits)."""
    return f"resp_local{secrets.token_hex(24)}"


def not_found(response_id: str) -> BackendError:
    """Return OpenAI's error for a previous_response_id it does not hold (or holds no more)."""
    # OpenAI's wording and code, as its API answers (HTTP 400): reported verbatim in
    # maximhq/bifrost#2441 ("code":"previous_response_not_found","message":"Previous response
    # with id 'resp_0f09a275409xxx' not found.") and bigduu/Bamboo-agent#513, with
    # "param":"previous_response_id" and type invalid_request_error.
    return BackendError(
        400,
        f"Previous response with id '{response_id}' not found.",
        type="invalid_request_error",
        code="previous_response_not_found",
        param="previous_response_id",
    )


@dataclass(frozen=True)
class Stored:
    """One stored response: the object as answered and the items a continuation reads."""

    response: Mapping[str, Any]
    # The conversation so far, in order: its input items, then its output items.
    context: tuple[Mapping[str, Any], ...]
    expires: float


class ResponseStore:
    """Responses by id, at most `max_count`, each for `ttl` seconds after it was stored."""

    def __init__(
        self,
        max_count: int = MAX_STORED,
        ttl: float = STORED_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_count < 1 or ttl <= 0:
            raise ValueError("a response store holds at least one response for some time")
        self.max_count = max_count
        self.ttl = ttl
        self._clock = clock
        self._held: OrderedDict[str, Stored] = OrderedDict()

    def __len__(self) -> int:
        return len(self._held)

    def put(
        self,
        response_id: str,
        response: Mapping[str, Any],
        context: Sequence[Mapping[str, Any]],
    ) -> None:
        """Keep `response` and its context; past the cap, drop the least recently used."""
        now = self._clock()
        self._drop_expired(now)
        self._held[response_id] = Stored(response, tuple(context), now + self.ttl)
        self._held.move_to_end(response_id)
        while len(self._held) > self.max_count:
            self._held.popitem(last=False)

    def find(self, response_id: str) -> Stored | None:
        """Return the stored response, or None if it is unknown or expired."""
        stored = self._held.get(response_id)
        if stored is None or stored.expires <= self._clock():
            self._held.pop(response_id, None)
            return None
        self._held.move_to_end(response_id)
        return stored

    def get(self, response_id: str) -> Stored:
        """Return the stored response, or raise OpenAI's 400 if it is unknown or expired."""
        stored = self.find(response_id)
        if stored is None:
            raise not_found(response_id)
        return stored

    def delete(self, response_id: str) -> bool:
        """Forget `response_id`; return whether it was held (and not expired)."""
        stored = self._held.pop(response_id, None)
        return stored is not None and stored.expires > self._clock()

    def _drop_expired(self, now: float) -> None:
        # Entries are in use order, not expiry order: a scan, bounded by max_count.
        for response_id in [key for key, held in self._held.items() if held.expires <= now]:
            del self._held[response_id]
