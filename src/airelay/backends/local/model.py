"""The local model as a Backend: a request for a model answered in that model's wire format."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from airelay.backends.local import chat, responses
from airelay.core.catalog import MODELS, Api
from airelay.core.errors import BackendError
from airelay.core.types import BackendResult

# Keyed by the binding id only: the relay always names the model by it, never by a short name.
_API_BY_BINDING_ID: dict[str, Api] = {m.binding_id: m.api for m in MODELS}


def _api_of(model: str) -> Api | None:
    """Return the wire format `model` speaks, or None for a model the relay does not serve."""
    return _API_BY_BINDING_ID.get(model)


class LocalModel:
    """A Backend that answers offline; `token_delay` seconds pass between streamed tokens."""

    def __init__(self, token_delay: float = 0.0, clock: Callable[[], float] = time.time) -> None:
        self.token_delay = token_delay
        self._clock = clock

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Answer like the named Workers AI model would, in its endpoint's wire format."""
        api = _api_of(model)
        if api is None:
            raise BackendError(
                502, f"No such model: {model}", type="api_error", code="upstream_error"
            )
        answer = chat.answer if api == "chat.completions" else responses.answer
        return answer(inputs, self._clock, self.token_delay)
