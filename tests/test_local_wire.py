"""The local model's answers, byte for byte: each event and body is its data encoded generically.

Its events are spliced into pre-encoded templates (backends/local/template.py); these tests
check every event of many streams against `sse.encode` of the same data, as the model sent
all of them before the templates.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airelay.backends.local import LocalModel, responses
from airelay.backends.local.turn import tokens
from airelay.core import sse
from airelay.core.catalog import MINI, PRO
from airelay.core.responses import json_response
from airelay.core.types import JsonResult
from tests.local_model_support import stream_chunks, user

AWKWARD = 'café ☕ 𝄞 "quoted" \\ back \u2028 \u2029 \t %s %% {} {0} \x01 end'


WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"],
}


CHAT_TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]


RESPONSES_TOOLS = [{"type": "function", "name": "get_weather", "parameters": WEATHER}]


CHAT_INPUTS = {
    "plain": {"messages": user("Tell me about the sea")},
    "unicode": {"messages": user(AWKWARD)},
    "n=3": {"messages": user("Three answers, please"), "n": 3},
    "usage": {"messages": user("Count me"), "stream_options": {"include_usage": True}},
    "n=2 usage": {
        "messages": user("Two with usage"),
        "n": 2,
        "stream_options": {"include_usage": True},
    },
    "truncated": {"messages": user("A long reply is cut short here"), "max_tokens": 3},
    "json mode": {"messages": user(AWKWARD), "response_format": {"type": "json_object"}},
    "json schema": {
        "messages": user("weather"),
        "response_format": {"type": "json_schema", "json_schema": {"schema": WEATHER}},
    },
    "tool call": {"messages": user("Weather?"), "tools": CHAT_TOOLS, "tool_choice": "required"},
    "tool call n=2 usage": {
        "messages": user("Weather?"),
        "tools": CHAT_TOOLS,
        "tool_choice": "required",
        "n": 2,
        "stream_options": {"include_usage": True},
    },
    "tool result": {
        "messages": [
            *user("Weather?"),
            {"role": "tool", "tool_call_id": "call_1", "content": f"Sunny {AWKWARD}"},
        ]
    },
    "stop": {"messages": user("You said what"), "stop": ["said"]},
}


RESPONSES_INPUTS = {
    "plain": {"input": "Tell me about the sea"},
    "unicode": {"input": AWKWARD, "instructions": AWKWARD},
    "truncated": {"input": "A long reply is cut short here", "max_output_tokens": 20},
    "tool call": {"input": user("Weather?"), "tools": RESPONSES_TOOLS, "tool_choice": "required"},
    "tool result": {
        "input": [
            *user("Weather?"),
            {"type": "function_call_output", "call_id": "call_1", "output": AWKWARD},
        ],
        "tools": RESPONSES_TOOLS,
    },
    "json schema": {
        "input": AWKWARD,
        "text": {"format": {"type": "json_schema", "name": "w", "schema": WEATHER}},
    },
}


def assert_generically_encoded(chunks: list[bytes]) -> list[sse.Event]:
    """Assert each chunk is one event equal to `sse.encode` of its own data; return them."""
    events = []
    for chunk in chunks:
        decoder = sse.Decoder()
        (event,) = decoder.decode(chunk) + decoder.flush()
        name = None if event.event == "message" else event.event
        data = event.data if event.data == "[DONE]" else json.loads(event.data)
        assert chunk == sse.encode(data, event=name)
        events.append(event)
    return events


@pytest.mark.parametrize("inputs", CHAT_INPUTS.values(), ids=CHAT_INPUTS.keys())
def test_every_chat_stream_event_is_its_data_encoded_generically(inputs: dict[str, Any]) -> None:
    events = assert_generically_encoded(stream_chunks(MINI.binding_id, inputs))
    assert events[-1].data == "[DONE]"
    error = [e for e in events if '"error"' in e.data]
    assert error == []


@pytest.mark.parametrize("inputs", RESPONSES_INPUTS.values(), ids=RESPONSES_INPUTS.keys())
def test_every_responses_stream_event_is_its_data_encoded_generically(
    inputs: dict[str, Any],
) -> None:
    events = assert_generically_encoded(stream_chunks(PRO.binding_id, inputs))
    numbers = [json.loads(e.data)["sequence_number"] for e in events]
    assert numbers == list(range(len(events)))
    assert events[-1].event in ("response.completed", "response.incomplete")


def test_chat_token_chunks_carry_the_tokens_in_order() -> None:
    events = assert_generically_encoded(stream_chunks(MINI.binding_id, {"messages": user(AWKWARD)}))
    contents = [json.loads(e.data)["choices"][0]["delta"].get("content") for e in events[1:-2]]
    words = AWKWARD.split()
    reply = f"You said: {' '.join(words)} (local {MINI.short_id}; {len(words)} prompt tokens)"
    assert contents == tokens(reply)


PROMPTS = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(prompt=PROMPTS, n=st.integers(1, 2), usage=st.booleans(), call=st.booleans())
def test_any_chat_prompt_streams_generically_encoded_events(
    prompt: str, n: int, usage: bool, call: bool
) -> None:
    inputs: dict[str, Any] = {"messages": user(prompt), "n": n}
    if usage:
        inputs["stream_options"] = {"include_usage": True}
    if call:
        inputs |= {"tools": CHAT_TOOLS, "tool_choice": "required"}
    assert_generically_encoded(stream_chunks(MINI.binding_id, inputs))


@settings(max_examples=60, deadline=None)
@given(prompt=PROMPTS, call=st.booleans())
def test_any_responses_prompt_streams_generically_encoded_events(prompt: str, call: bool) -> None:
    inputs: dict[str, Any] = {"input": prompt}
    if call:
        inputs |= {"tools": RESPONSES_TOOLS, "tool_choice": "required"}
    assert_generically_encoded(stream_chunks(PRO.binding_id, inputs))


def answer_body(model: str, inputs: Mapping[str, Any]) -> JsonResult:
    """Return the local model's non-streamed answer."""
    result = asyncio.run(LocalModel().run(model, inputs, {}))
    assert isinstance(result, JsonResult)
    return result


@pytest.mark.parametrize(
    ("model", "inputs"),
    [(MINI.binding_id, i) for i in CHAT_INPUTS.values()]
    + [(PRO.binding_id, i) for i in RESPONSES_INPUTS.values()],
)
def test_a_json_answer_carries_the_bytes_the_core_would_encode(
    model: str, inputs: dict[str, Any]
) -> None:
    result = answer_body(model, inputs)
    assert result.body == json_response(200, result.data).body


@settings(max_examples=100, deadline=None)
@given(prompt=PROMPTS, cap=st.none() | st.integers(1, 4), n=st.sampled_from([1, 2]))
def test_any_chat_answer_carries_the_bytes_the_core_would_encode(
    prompt: str, cap: int | None, n: int
) -> None:
    # The usual answer's bytes come from a template (chat_completion._TEXT_ANSWER), the others'
    # from the encoder: a cap makes some answers stop for "length".
    inputs: dict[str, Any] = {"messages": user(prompt), "n": n, "max_completion_tokens": cap}
    result = answer_body(MINI.binding_id, inputs)
    assert result.body == json_response(200, result.data).body


@pytest.mark.parametrize(
    "inputs",
    [
        *RESPONSES_INPUTS.values(),
        {"input": "hi", "temperature": 0.25, "top_p": 0.5, "reasoning": {"effort": "high"}},
        {"input": "hi", "text": {"verbosity": "low"}, "tool_choice": "none", "tools": []},
    ],
)
def test_a_responses_stream_starts_with_the_response_object_in_progress(
    inputs: dict[str, Any],
) -> None:
    # Its text comes from a template (response_object._STARTED), the rest from `body`.
    chunks = stream_chunks(PRO.binding_id, {**inputs, "stream": True})
    response = responses.answer(inputs, lambda: 1_795_000_000.0, 0.0)
    assert isinstance(response, JsonResult)
    kinds = ("response.created", "response.in_progress")
    for number, (chunk, kind) in enumerate(zip(chunks, kinds, strict=False)):
        [event] = sse.Decoder().decode(chunk)
        started = event.json()["response"]
        payload = {"type": kind, "sequence_number": number, "response": started}
        assert chunk == sse.encode(payload, event=kind)
        final = response.data
        # The finished object differs only where a finished response must.
        differing = {key for key in final if final[key] != started[key]}
        assert differing <= {"completed_at", "incomplete_details", "output", "status", "usage"}
        assert started["status"] == "in_progress"
        assert started["output"] == []
        assert started["usage"] is None
        assert started["temperature"] == inputs.get("temperature", 1)
        assert started["top_p"] == inputs.get("top_p", 0.98)
        assert started["instructions"] == inputs.get("instructions")
        assert started["reasoning"]["effort"] == inputs.get("reasoning", {}).get("effort", "medium")
        assert started["tool_choice"] == inputs.get("tool_choice", "auto")
