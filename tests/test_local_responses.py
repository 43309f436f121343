"""The local model in the Responses API format, checked with the official SDK's types.

The recorded gpt-5.4-pro responses in the model cards are the reference for its shape; its
events parse with the `openai` SDK's stream event type.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.responses import Response
from pydantic import ValidationError

from airelay.backends.local.response_object import PRO_SNAPSHOT
from airelay.backends.local.schema_instance import instance
from airelay.backends.local.turn import tokens
from airelay.core.catalog import PRO
from tests.conftest import load_examples
from tests.local_model_support import (
    RESPONSES_TOOLS,
    STREAM_EVENTS,
    USER,
    WEATHER,
    body,
    events,
    fill_upstream_gaps,
)

PRO_EXAMPLES = load_examples("gpt-5.4-pro")
# What the SDK requires but Workers AI's recorded responses lack; the local model matches
# upstream, so SDK checks fill exactly this in (see the test that pins it).
UPSTREAM_GAPS = {(("usage", "input_tokens_details", "cache_write_tokens"), "missing")}


def sdk_errors(data: Any) -> set[tuple[tuple[str | int, ...], str]]:
    """Return the SDK Response type's strict validation errors for `data`."""
    try:
        Response.model_validate(data, strict=True)
    except ValidationError as exc:
        return {(tuple(e["loc"]), e["type"]) for e in exc.errors()}
    return set()


def shape(value: Any) -> Any:
    """Return the JSON shape of `value`: keys, list lengths and value kinds, not values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, bool) or value is None:
        return repr(value) if value is None else "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


# --- the object -------------------------------------------------------------------------------


def test_the_recorded_upstream_responses_lack_only_what_the_local_model_lacks() -> None:
    # Pins UPSTREAM_GAPS: the SDK's strict Response type and Workers AI disagree on exactly
    # this, so the local model follows upstream and the SDK checks below fill only this in.
    gaps = set().union(*(sdk_errors(example["response"]) for example in PRO_EXAMPLES))
    assert gaps == UPSTREAM_GAPS
    assert sdk_errors(body(PRO.binding_id, {"input": "hi"})) == UPSTREAM_GAPS


@pytest.mark.parametrize("example", PRO_EXAMPLES, ids=lambda e: e["name"])
def test_a_response_has_the_recorded_responses_shape(example: dict[str, Any]) -> None:
    inputs = {k: v for k, v in example["request"].items() if k != "model"}
    local = body(PRO.binding_id, inputs)
    assert local.keys() == example["response"].keys()
    assert shape(local) == shape(example["response"])


@pytest.mark.parametrize("example", PRO_EXAMPLES, ids=lambda e: e["name"])
def test_a_response_echoes_the_request_settings_as_upstream_did(example: dict[str, Any]) -> None:
    inputs = {k: v for k, v in example["request"].items() if k != "model"}
    local = body(PRO.binding_id, inputs)
    own = {"id", "created_at", "completed_at", "output", "usage", "gatewayMetadata"}
    recorded = example["response"]
    assert {k: v for k, v in local.items() if k not in own} == {
        k: v for k, v in recorded.items() if k not in own
    }


@pytest.mark.parametrize("example", PRO_EXAMPLES, ids=lambda e: e["name"])
def test_a_response_parses_strictly_as_the_sdks_response(example: dict[str, Any]) -> None:
    inputs = {k: v for k, v in example["request"].items() if k != "model"}
    response = Response.model_validate(
        fill_upstream_gaps(body(PRO.binding_id, inputs)), strict=True
    )
    assert response.object == "response"
    assert response.status == "completed"
    assert response.model == PRO_SNAPSHOT
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output_text.startswith("You said: ")


def test_a_response_echoes_every_option_it_was_given() -> None:
    inputs = {
        "input": "hi",
        "instructions": "Be brief.",
        "max_output_tokens": 500,
        "temperature": 0.2,
        "top_p": 0.5,
        "reasoning": {"effort": "high"},
        "text": {"format": {"type": "json_object"}, "verbosity": "low"},
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        "tool_choice": {"type": "function", "name": "f"},
    }
    data = body(PRO.binding_id, inputs)
    Response.model_validate(fill_upstream_gaps(data), strict=True)
    for name in (
        "instructions",
        "max_output_tokens",
        "temperature",
        "top_p",
        "text",
        "tools",
        "tool_choice",
    ):
        assert data[name] == inputs[name], name
    assert data["reasoning"]["effort"] == "high"


def test_responses_usage_counts_the_tokens_of_prompt_reply_and_reasoning() -> None:
    inputs = {
        "instructions": "Answer in French.",
        "input": [
            {"role": "user", "content": "How are you?"},
            {"role": "assistant", "content": "Fine."},
            {"role": "user", "content": [{"type": "input_text", "text": "And  now?"}]},
        ],
    }
    data = body(PRO.binding_id, inputs)
    usage = data["usage"]
    text = data["output"][1]["content"][0]["text"]
    prompts = ["Answer in French.", "How are you?", "Fine.", "And  now?"]
    assert usage["input_tokens"] == sum(len(tokens(p)) for p in prompts)
    reasoning = usage["output_tokens_details"]["reasoning_tokens"]
    assert usage["output_tokens"] == len(tokens(text)) + reasoning
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert "And now?" in text


def test_more_reasoning_effort_spends_more_reasoning_tokens() -> None:
    spent = [
        body(PRO.binding_id, {"input": "hi", "reasoning": {"effort": effort}})["usage"][
            "output_tokens_details"
        ]["reasoning_tokens"]
        for effort in ("none", "minimal", "low", "medium", "high", "xhigh")
    ]
    assert spent == sorted(spent)
    assert spent[0] == 0
    assert len(set(spent)) == len(spent)


def test_max_output_tokens_truncates_to_an_incomplete_response() -> None:
    data = body(PRO.binding_id, {"input": "hi", "max_output_tokens": 20})
    Response.model_validate(fill_upstream_gaps(data), strict=True)
    assert data["status"] == "incomplete"
    assert data["incomplete_details"] == {"reason": "max_output_tokens"}
    assert data["completed_at"] is None
    assert data["output"][1]["status"] == "incomplete"
    # Reasoning tokens count against the cap, as upstream.
    assert data["usage"]["output_tokens"] == 20
    text = data["output"][1]["content"][0]["text"]
    reasoning = data["usage"]["output_tokens_details"]["reasoning_tokens"]
    assert len(tokens(text)) == 20 - reasoning


def test_a_cap_below_the_reasoning_leaves_no_text_and_spends_the_cap() -> None:
    data = body(PRO.binding_id, {"input": "hi", "max_output_tokens": 3})
    assert data["status"] == "incomplete"
    assert data["output"][1]["content"][0]["text"] == ""
    assert data["usage"]["output_tokens"] == 3


def test_json_text_format_replies_with_a_json_object() -> None:
    data = body(PRO.binding_id, {"input": "hi", "text": {"format": {"type": "json_object"}}})
    assert isinstance(json.loads(data["output"][1]["content"][0]["text"]), dict)


# --- the stream -------------------------------------------------------------------------------

EVENT_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.output_item.done",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


def collapse(names: list[str]) -> list[str]:
    """Collapse runs of text deltas into one name."""
    out: list[str] = []
    for name in names:
        if not (out and name == out[-1] == "response.output_text.delta"):
            out.append(name)
    return out


def test_a_responses_stream_is_the_full_event_sequence() -> None:
    stream = events(PRO.binding_id, {"input": "Tell me about the sea"})
    names = [e.event for e in stream]
    assert collapse(names) == [*EVENT_ORDER, "response.completed"]
    assert names.count("response.output_text.delta") > 1
    assert all(e.json()["type"] == e.event for e in stream)
    assert "[DONE]" not in [e.data for e in stream]


def test_sequence_numbers_run_from_zero_in_order() -> None:
    stream = events(PRO.binding_id, {"input": "Tell me about the sea"})
    assert [e.json()["sequence_number"] for e in stream] == list(range(len(stream)))


def test_every_responses_event_parses_strictly_as_the_sdks_stream_event() -> None:
    for event in events(PRO.binding_id, {"input": "Tell me about the sea"}):
        parsed = STREAM_EVENTS.validate_python(fill_upstream_gaps(event.json()), strict=True)
        assert parsed.type == event.event


def test_a_responses_stream_ends_with_the_non_streamed_response() -> None:
    inputs = {"input": "Tell me about the sea", "instructions": "Be brief."}
    whole = body(PRO.binding_id, inputs)
    stream = events(PRO.binding_id, inputs)
    assert stream[-1].json()["response"] == whole
    text = whole["output"][1]["content"][0]["text"]
    assert "".join(e.json()["delta"] for e in stream if e.event.endswith(".delta")) == text
    done = {e.event: e.json() for e in stream}
    assert done["response.output_text.done"]["text"] == text
    assert done["response.content_part.done"]["part"]["text"] == text
    assert done["response.output_item.done"]["item"] == whole["output"][1]


def test_a_responses_stream_starts_with_an_empty_in_progress_response() -> None:
    created = events(PRO.binding_id, {"input": "hi"})[0].json()["response"]
    assert created["status"] == "in_progress"
    assert created["output"] == []
    assert created["usage"] is None


def test_a_truncated_responses_stream_ends_with_response_incomplete() -> None:
    stream = events(PRO.binding_id, {"input": "Tell me about the sea", "max_output_tokens": 20})
    assert stream[-1].event == "response.incomplete"
    final = stream[-1].json()["response"]
    assert final["status"] == "incomplete"
    assert final["incomplete_details"] == {"reason": "max_output_tokens"}
    STREAM_EVENTS.validate_python(fill_upstream_gaps(stream[-1].json()), strict=True)


# --- tools and structured outputs -------------------------------------------------------------


def test_responses_with_a_named_function_answers_with_a_function_call_item() -> None:
    inputs = {
        "input": USER,
        "tools": RESPONSES_TOOLS,
        "tool_choice": {"type": "function", "name": "get_weather"},
    }
    response = Response.model_validate(
        fill_upstream_gaps(body(PRO.binding_id, inputs)), strict=True
    )
    call = response.output[-1]
    assert call.type == "function_call"
    assert json.loads(call.arguments) == instance(WEATHER)


def test_responses_streams_a_call_with_argument_deltas() -> None:
    inputs = {"input": USER, "tools": RESPONSES_TOOLS, "tool_choice": "required"}
    parsed = [
        STREAM_EVENTS.validate_python(fill_upstream_gaps(e.json()), strict=True)
        for e in events(PRO.binding_id, inputs)
    ]
    kinds = [p.type for p in parsed]
    assert "response.function_call_arguments.delta" in kinds
    done = next(p for p in parsed if p.type == "response.function_call_arguments.done")
    assert json.loads(done.arguments) == instance(WEATHER)
    assert kinds[-1] == "response.completed"


def test_responses_after_a_function_call_output_answers_quoting_it() -> None:
    items = [
        *USER,
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "22 degrees"},
    ]
    data = body(PRO.binding_id, {"input": items, "tools": RESPONSES_TOOLS})
    assert "22 degrees" in data["output"][-1]["content"][0]["text"]


def test_responses_json_schema_answers_with_an_instance() -> None:
    fmt = {"type": "json_schema", "name": "w", "schema": WEATHER, "strict": True}
    data = body(PRO.binding_id, {"input": "hi", "text": {"format": fmt}})
    assert json.loads(data["output"][-1]["content"][0]["text"]) == instance(WEATHER)
