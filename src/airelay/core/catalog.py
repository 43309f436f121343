"""The two models the relay serves: their names, wire format and path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from airelay.core.errors import RelayError

Api = Literal["chat.completions", "responses"]


@dataclass(frozen=True)
class ModelInfo:
    """A Workers AI model, the names callers may use for it, its wire format and its path."""

    binding_id: str
    short_id: str
    created: int
    # The OpenAI API the model speaks, and the relay's path for it.
    api: Api
    path: str

    def accepts(self, name: str) -> bool:
        """Tell whether a request's `model` field names this model."""
        return name in (self.binding_id, self.short_id)

    def card(self) -> dict[str, object]:
        """Return this model in OpenAI's `model` object shape."""
        return {
            "id": self.binding_id,
            "object": "model",
            "created": self.created,
            "owned_by": "openai",
        }


# `created`: the release dates of the model snapshots (gpt-5.4-pro-2026-03-05).
MINI = ModelInfo(
    "openai/gpt-5.4-mini", "gpt-5.4-mini", 1772668800, "chat.completions", "/v1/chat/completions"
)
PRO = ModelInfo("openai/gpt-5.4-pro", "gpt-5.4-pro", 1772668800, "responses", "/v1/responses")
MODELS = (MINI, PRO)


def find_model(name: str) -> ModelInfo | None:
    """Return the model `name` refers to, by either of its names."""
    return next((m for m in MODELS if m.accepts(name)), None)


# Keyed by the binding id only: the relay always names the model to a backend by it
# (core/relay.py), never by a short name.
_API_BY_BINDING_ID: dict[str, Api] = {m.binding_id: m.api for m in MODELS}


def api_of(binding_id: str) -> Api | None:
    """Return the wire format the model `binding_id` speaks, or None if the relay serves none."""
    return _API_BY_BINDING_ID.get(binding_id)


def model_not_found(name: str, route_model: ModelInfo | None = None) -> RelayError:
    """Return the 404 for a model name the relay (or this route) does not serve."""
    other = find_model(name)
    if route_model is not None and other is not None:
        message = (
            f"The model '{name}' is not served on this route: {route_model.short_id} "
            f"({route_model.binding_id}) is; send {other.short_id} to {other.path}."
        )
    else:
        available = ", ".join(m.binding_id for m in MODELS)
        message = (
            f"The model '{name}' does not exist or you do not have access to it; "
            f"available: {available}."
        )
    return RelayError(404, message, param="model", code="model_not_found")
