"""The local model works within fixed limits: no schema or input makes it answer without bound."""

from __future__ import annotations

import json
from typing import Any

import httpx

from airelay.backends.local.schema_instance import MAX_INSTANCE_CHARS
from airelay.backends.local.turn import MAX_CONTEXT_CHARS, MAX_QUOTED_CHARS
from airelay.hosts.local import build_app
from tests.client import asgi_request

LONG_STRING = {
    "type": "object",
    "properties": {"a": {"type": "string", "minLength": 1_000_000_000}},
    "required": ["a"],
}


def post(path: str, body: dict[str, Any], env: dict[str, str] | None = None) -> httpx.Response:
    """Send `body` to `airelay dev`'s app in process and read the whole answer."""
    return asgi_request(build_app(env or {}, log=lambda line: None), "POST", path, json=body)


def nested_defs(levels: int, width: int = 10) -> dict[str, Any]:
    """Return a schema of `levels` $defs, each with `width` required properties to the next."""
    defs: dict[str, Any] = {f"L{levels}": {"type": "string"}}
    for level in range(levels - 1, -1, -1):
        names = [f"p{i}" for i in range(width)]
        defs[f"L{level}"] = {
            "type": "object",
            "properties": {name: {"$ref": f"#/$defs/L{level + 1}"} for name in names},
            "required": names,
        }
    return {"$ref": "#/$defs/L0", "$defs": defs}


def json_schema_format(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a chat response_format asking for `schema`."""
    return {"type": "json_schema", "json_schema": {"name": "s", "schema": schema}}


def assert_schema_error(response: httpx.Response, param: str) -> None:
    """Assert a small OpenAI-shaped 400 that names `param` and the local model's limit."""
    assert response.status_code == 400
    assert len(response.content) < 1000
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "schema_too_large"
    assert error["param"] == param
    assert "local model" in error["message"]


def test_a_function_schema_asking_for_a_billion_characters_is_a_400_naming_the_tool() -> None:
    body = {
        "tool_choice": "required",
        "tools": [{"type": "function", "name": "f", "parameters": LONG_STRING}],
        "input": "x",
    }
    response = post("/v1/responses", body)
    assert_schema_error(response, "tools[0].parameters")
    assert "1000000000 characters" in response.json()["error"]["message"]


def test_a_chat_function_schema_too_large_is_a_400_naming_its_parameters() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": LONG_STRING}}
    other = {"type": "function", "function": {"name": "g", "parameters": {"type": "object"}}}
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "tools": [other, tool],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
    }
    assert_schema_error(post("/v1/chat/completions", body), "tools[1].function.parameters")


def test_a_ref_chain_branching_past_the_budget_is_a_400_naming_the_response_format() -> None:
    for levels in (7, 9):
        body = {
            "messages": [{"role": "user", "content": "x"}],
            "response_format": json_schema_format(nested_defs(levels)),
        }
        response = post("/v1/chat/completions", body)
        assert_schema_error(response, "response_format.json_schema.schema")


def test_a_text_format_schema_too_large_is_a_400_before_a_stream_starts() -> None:
    body = {
        "input": "x",
        "stream": True,
        "text": {"format": {"type": "json_schema", "name": "s", "schema": nested_defs(7)}},
    }
    response = post("/v1/responses", body)
    assert_schema_error(response, "text.format.schema")


def test_a_ref_chain_within_the_budget_is_answered_whole() -> None:
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": json_schema_format(nested_defs(3)),
    }
    response = post("/v1/chat/completions", body)
    assert response.status_code == 200
    content = json.loads(response.json()["choices"][0]["message"]["content"])
    assert content["p9"]["p0"]["p5"] == "local"


def test_n_choices_share_the_instance_budget() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "minLength": 4000}},
        "required": ["a"],
    }
    body: dict[str, Any] = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": json_schema_format(schema),
    }
    one = post("/v1/chat/completions", body)
    assert one.status_code == 200
    assert len(one.content) < 2 * 4000
    twenty = post("/v1/chat/completions", {**body, "n": 20})
    assert_schema_error(twenty, "response_format.json_schema.schema")
    assert f"20 choices share {MAX_INSTANCE_CHARS}" in twenty.json()["error"]["message"]


def test_a_schema_answer_under_a_token_cap_stays_within_the_budget() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "minLength": 4000}},
        "required": ["a"],
    }
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": json_schema_format(schema),
        "max_tokens": 5,
    }
    response = post("/v1/chat/completions", body)
    assert response.status_code == 200
    assert response.json()["usage"]["completion_tokens"] <= 5
    assert len(response.content) < 2 * 4000


def test_a_huge_user_message_is_quoted_only_up_to_the_limit() -> None:
    said = "word " * 150_000
    body = {"messages": [{"role": "user", "content": said}], "n": 8}
    response = post("/v1/chat/completions", body, {"MAX_BODY_BYTES": str(2_000_000)})
    assert response.status_code == 200
    assert len(response.content) < 8 * (MAX_QUOTED_CHARS + 1000)
    content = response.json()["choices"][7]["message"]["content"]
    assert content.startswith("You said: word word")
    assert "… (local gpt-5.4-mini; 150000 prompt tokens)" in content


def test_a_huge_tool_result_and_earlier_turn_are_quoted_only_up_to_the_limit() -> None:
    long = "result " * 100_000
    body = {
        "input": [
            {"role": "user", "content": long},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": long},
            {"type": "function_call_output", "call_id": "c1", "output": long},
        ],
    }
    response = post("/v1/responses", body, {"MAX_BODY_BYTES": str(4_000_000)})
    assert response.status_code == 200
    assert len(response.content) < 4 * (MAX_QUOTED_CHARS + 1000)


def test_a_hosted_tool_quotes_a_huge_user_message_only_up_to_the_limit() -> None:
    body = {
        "input": "print " * 150_000,
        "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}],
        "tool_choice": "required",
        "include": ["code_interpreter_call.outputs"],
    }
    response = post("/v1/responses", body, {"MAX_BODY_BYTES": str(2_000_000)})
    assert response.status_code == 200
    assert len(response.content) < 8 * (MAX_QUOTED_CHARS + 1000)


def test_a_previous_response_chain_stops_growing_at_the_context_window() -> None:
    app = build_app({"MAX_BODY_BYTES": str(3_000_000)}, log=lambda line: None)
    chunk = "w" * (MAX_CONTEXT_CHARS // 4)
    previous = None
    statuses = []
    for _ in range(4):
        body: dict[str, Any] = {"input": chunk, "store": True}
        if previous is not None:
            body["previous_response_id"] = previous
        response = asgi_request(app, "POST", "/v1/responses", json=body)
        statuses.append(response.status_code)
        assert len(response.content) < 4 * (MAX_QUOTED_CHARS + 1000)
        if response.status_code == 200:
            previous = response.json()["id"]
    assert statuses == [200, 200, 200, 400]
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("context_length_exceeded", "input")


def test_chat_messages_beyond_the_context_window_are_a_400() -> None:
    messages = [{"role": "user", "content": "w" * 1_000_000} for _ in range(5)]
    response = post("/v1/chat/completions", {"messages": messages}, {"MAX_BODY_BYTES": "6000000"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("context_length_exceeded", "messages")
