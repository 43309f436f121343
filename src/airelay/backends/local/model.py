"""The local model as a Backend: a request for a model answered in that model's wire format."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from airelay.backends.local import chat, responses
from airelay.backends.local.response_store import ResponseStore
from airelay.core.catalog import api_of
from airelay.core.errors import BackendError
from airelay.core.types import BackendResult


class LocalModel:
    """A Backend that answers offline; `token_delay` seconds pass between streamed tokens."""

    def __init__(
        self,
        token_delay: float = 0.0,
        clock: Callable[[], float] = time.time,
        store: ResponseStore | None = None,
    ) -> None:
        self.token_delay = token_delay
        self._clock = clock
        # The responses created with `store: true`, for previous_response_id, GET and DELETE.
        self.store = ResponseStore() if store is None else store

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Answer like the named Workers AI model would, in its endpoint's wire format."""
        api = api_of(model)
        if api is None:
            raise BackendError(
                502, f"No such model: {model}", type="api_error", code="upstream_error"
            )
        if api == "chat.completions":
            return chat.answer(inputs, self._clock, self.token_delay)
        return responses.answer(inputs, self._clock, self.token_delay, self.store)

    async def retrieve_response(self, response_id: str) -> Mapping[str, Any] | None:
        """Return a response stored with `store: true`, or None (GET /v1/responses/{id})."""
        stored = self.store.find(response_id)
        return None if stored is None else stored.response

    async def delete_response(self, response_id: str) -> bool:
        """Forget a stored response; return whether it was held (DELETE /v1/responses/{id})."""
        return self.store.delete(response_id)
