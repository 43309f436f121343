"""The local model in tool loops and structured outputs, checked with the SDK's own types."""

from __future__ import annotations

import json
from typing import Any

from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from airelay.backends.local.schema_instance import instance
from airelay.core.catalog import MINI, PRO
from tests.test_local_model import body, events, fill_upstream_gaps

STREAM_EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
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


def test_a_schema_instance_has_the_required_properties_with_their_types_and_enums() -> None:
    assert instance(WEATHER) == {"city": "local", "unit": "celsius", "days": 1}


def test_a_schema_instance_follows_refs_and_picks_a_non_null_branch() -> None:
    schema = {
        "type": "object",
        "properties": {"item": {"$ref": "#/$defs/Item"}},
        "required": ["item"],
        "$defs": {
            "Item": {
                "type": "object",
                "properties": {
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "n": {"anyOf": [{"type": "null"}, {"type": "number"}]},
                },
                "required": ["tags", "n"],
            }
        },
    }
    assert instance(schema) == {"item": {"tags": [], "n": 0}}


def test_chat_with_tool_choice_required_answers_with_a_valid_call() -> None:
    data = body(MINI.binding_id, {"messages": USER, "tools": CHAT_TOOLS, "tool_choice": "required"})
    completion = ChatCompletion.model_validate(data, strict=True)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == instance(WEATHER)  # type: ignore[union-attr]


def test_chat_under_auto_calls_a_tool_only_when_the_user_names_it() -> None:
    plain = body(MINI.binding_id, {"messages": USER, "tools": CHAT_TOOLS})
    assert plain["choices"][0]["finish_reason"] == "stop"
    named = [{"role": "user", "content": "Use get_weather for Paris"}]
    called = body(MINI.binding_id, {"messages": named, "tools": CHAT_TOOLS, "tool_choice": "auto"})
    assert called["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_streams_a_call_as_tool_call_deltas() -> None:
    stream = events(
        MINI.binding_id, {"messages": USER, "tools": CHAT_TOOLS, "tool_choice": "required"}
    )
    chunks = [
        ChatCompletionChunk.model_validate(e.json(), strict=True)
        for e in stream
        if e.data != "[DONE]"
    ]
    arguments = "".join(
        (c.choices[0].delta.tool_calls or [])[0].function.arguments or ""  # type: ignore[union-attr]
        for c in chunks
        if c.choices and c.choices[0].delta.tool_calls
    )
    assert json.loads(arguments) == instance(WEATHER)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_chat_after_a_tool_result_answers_quoting_it() -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": "{}"},
    }
    messages = [
        *USER,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "22 degrees and sunny"},
    ]
    data = body(MINI.binding_id, {"messages": messages, "tools": CHAT_TOOLS, "tool_choice": "auto"})
    assert "22 degrees and sunny" in data["choices"][0]["message"]["content"]
    assert data["choices"][0]["finish_reason"] == "stop"


def test_chat_json_schema_answers_with_an_instance() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "w", "schema": WEATHER, "strict": True}}
    data = body(MINI.binding_id, {"messages": USER, "response_format": fmt})
    assert json.loads(data["choices"][0]["message"]["content"]) == instance(WEATHER)


def test_chat_n_yields_n_choices() -> None:
    data = body(MINI.binding_id, {"messages": USER, "n": 3})
    completion = ChatCompletion.model_validate(data, strict=True)
    assert [c.index for c in completion.choices] == [0, 1, 2]


def test_chat_stop_ends_the_text_before_the_first_stop_sequence() -> None:
    data = body(MINI.binding_id, {"messages": USER, "stop": ["Paris", "weather"]})
    assert data["choices"][0]["message"]["content"] == "You said: What is the "
    assert data["choices"][0]["finish_reason"] == "stop"


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
