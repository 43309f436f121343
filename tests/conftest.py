"""Shared fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, live_server

REPO = Path(__file__).resolve().parent.parent
MODEL_CARDS = REPO.parent / "shared" / "model-cards"


def load_examples(name: str) -> list[dict[str, Any]]:
    """Return the named model card's examples (name, request[, response])."""
    data = json.loads((MODEL_CARDS / f"{name}.examples.json").read_text(encoding="utf-8"))
    examples: list[dict[str, Any]] = data["examples"] if isinstance(data, dict) else data
    return examples


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    """A keyless `airelay dev` on a free loopback port, shared by the session."""
    with live_server() as running:
        yield running
