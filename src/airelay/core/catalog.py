"""The two models the relay serves, by the names callers may use for them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    """A Workers AI model and the names callers may use for it."""

    binding_id: str
    short_id: str
    created: int

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
MINI = ModelInfo("openai/gpt-5.4-mini", "gpt-5.4-mini", 1772668800)
PRO = ModelInfo("openai/gpt-5.4-pro", "gpt-5.4-pro", 1772668800)
MODELS = (MINI, PRO)


def find_model(name: str) -> ModelInfo | None:
    """Return the model `name` refers to, by either of its names."""
    return next((m for m in MODELS if m.accepts(name)), None)
