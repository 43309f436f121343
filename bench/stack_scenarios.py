"""What the HTTP stack benchmark sends, and the local model's answers to it, canned."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airelay.backends.local import LocalModel
from airelay.core.endpoints import ENDPOINTS
from airelay.core.types import BackendResult, JsonResult, StreamResult

SHORT = "Name three prime numbers."
LONG = " ".join(["Name three prime numbers and say why one is not a prime at all."] * 6)


@dataclass(frozen=True)
class Scenario:
    """One route and body the benchmark sends."""

    name: str
    path: str
    stream: bool

    def body(self, prompt: str) -> bytes:
        """Return the request body with `prompt` as the user's turn."""
        data: dict[str, Any]
        if self.path.endswith("/responses"):
            data = {"model": "gpt-5.4-pro", "input": prompt}
        else:
            data = {"model": "gpt-5.4-mini", "messages": [{"role": "user", "content": prompt}]}
        if self.stream:
            data["stream"] = True
        return json.dumps(data, separators=(",", ":")).encode()


SCENARIOS = (
    Scenario("chat", "/v1/chat/completions", False),
    Scenario("chat stream", "/v1/chat/completions", True),
    Scenario("responses stream", "/v1/responses", True),
)
BINDING = {e.path: e.model_route.model.binding_id for e in ENDPOINTS if e.model_route}


def canned(scenario: Scenario, prompt: str) -> BackendResult:
    """Return the local model's answer to `scenario`'s body, streams read out to a list."""
    inputs = {k: v for k, v in json.loads(scenario.body(prompt)).items() if k != "model"}

    async def answer() -> BackendResult:
        result = await LocalModel().run(BINDING[scenario.path], inputs, {})
        if isinstance(result, StreamResult):
            stream: AsyncIterator[bytes] = result.stream  # type: ignore[assignment]
            return StreamResult([event async for event in stream])
        # Parsed and with its bytes, as the Worker glue hands an answer over too.
        assert result.body is not None
        return result

    return asyncio.run(answer())


def answers_file(directory: Path) -> Path:
    """Write the bare app's answers to each scenario, short and long, and return the file."""
    answers: dict[str, Any] = {}
    for scenario in SCENARIOS:
        for prompt in (SHORT, LONG):
            result = canned(scenario, prompt)
            # Told apart by the body's length: no parsing in the baseline.
            key = f"{scenario.path} {scenario.stream} {len(scenario.body(prompt))}"
            if isinstance(result, JsonResult):
                assert result.body is not None
                answers[key] = {"json": result.body.decode()}
            else:
                events: list[bytes] = result.stream  # type: ignore[assignment]
                answers[key] = {"events": [event.decode() for event in events]}
    path = directory / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path
