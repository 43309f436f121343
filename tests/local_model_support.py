"""The local model as its tests call it: one run, its JSON answer, its stream decoded."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Mapping
from typing import Any

from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from airelay.backends.local import LocalModel
from airelay.core.sse import Decoder, Event
from airelay.core.types import BackendResult, JsonResult, StreamResult
from tests.fakes import run

NOW = 1_795_000_000.0
STREAM_EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
# A function tool, in each API's shape, and a user turn that asks for it.
WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1},
        "note": {"type": "string"},
    },
    "required": ["city", "unit", "days"],
    "additionalProperties": False,
}
CHAT_TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
RESPONSES_TOOLS = [{"type": "function", "name": "get_weather", "parameters": WEATHER}]
USER = [{"role": "user", "content": "What is the weather in Paris?"}]


def model() -> LocalModel:
    """Return a local model on a fixed clock."""
    return LocalModel(clock=lambda: NOW)


def answer(name: str, inputs: Mapping[str, Any]) -> BackendResult:
    """Run the local model once."""
    return run(model().run(name, inputs, {"gateway": {"id": "default"}}))


def body(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Return the local model's non-streamed JSON answer."""
    result = answer(name, inputs)
    assert isinstance(result, JsonResult)
    data: dict[str, Any] = result.data
    return data


def events(name: str, inputs: Mapping[str, Any]) -> list[Event]:
    """Return the local model's streamed answer, decoded."""
    result = answer(name, {**inputs, "stream": True})
    assert isinstance(result, StreamResult)

    async def drain(stream: AsyncIterator[bytes]) -> list[Event]:
        decoder = Decoder()
        out = [event async for chunk in stream for event in decoder.decode(chunk)]
        return out + decoder.flush()

    return run(drain(result.stream))  # type: ignore[arg-type]


def chat(text: str = "Tell me about the sea", **fields: Any) -> dict[str, Any]:
    """Return a chat request."""
    return {"messages": [{"role": "user", "content": text}], **fields}


def user(text: str) -> list[dict[str, Any]]:
    """Return one user turn."""
    return [{"role": "user", "content": text}]


def fill_upstream_gaps(data: Any) -> Any:
    """Return `data` with the fields of UPSTREAM_GAPS added wherever a usage object lacks them."""
    data = copy.deepcopy(data)
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            details = (node.get("usage") or {}).get("input_tokens_details")
            if isinstance(details, dict):
                details.setdefault("cache_write_tokens", 0)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return data


def stream_chunks(model: str, inputs: Mapping[str, Any]) -> list[bytes]:
    """Return the chunks of the local model's stream for `inputs`, as the host sends them."""

    async def drain() -> list[bytes]:
        result = await LocalModel(clock=lambda: 1_795_000_000.0).run(
            model, {**inputs, "stream": True}, {}
        )
        assert isinstance(result, StreamResult)
        stream: AsyncIterator[bytes] = result.stream  # type: ignore[assignment]
        return [chunk async for chunk in stream]

    return asyncio.run(drain())
