"""Size and shape limits (issue 4, rule 4): each a 4xx that names the limit and its value."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import openai
import pytest

from airelay.core.errors import RelayError
from airelay.core.jsonio import MAX_JSON_DEPTH, text_depth
from airelay.core.limits import (
    DEFAULT_MAX_BODY_BYTES,
    MAX_BODY_BYTES_CEILING,
    MAX_MESSAGES,
    MAX_MINI_OUTPUT_TOKENS,
    MAX_TEXT_CHARS,
    MAX_TOOLS,
    too_large,
)
from airelay.core.settings import Settings
from airelay.core.types import BodyTooLargeError, Request, parse_byte_count
from airelay.hosts.local import build_app
from tests.client import ANYONE, CoreClient, Result, asgi_request, asgi_sdk
from tests.fakes import FakeBackend, run

JSON = (("content-type", "application/json"),)
USER = {"role": "user", "content": "hello"}


def chat(body: dict[str, Any], env: Mapping[str, str] | None = None) -> tuple[Result, FakeBackend]:
    """Post `body` to the chat route; return the answer and the backend."""
    client = CoreClient({**ANYONE, **(env or {})})
    return client.post("/v1/chat/completions", json=body), client.backend


def responses(
    body: dict[str, Any], env: Mapping[str, str] | None = None
) -> tuple[Result, FakeBackend]:
    """Post `body` to the responses route; return the answer and the backend."""
    client = CoreClient({**ANYONE, **(env or {})})
    return client.post("/v1/responses", json=body), client.backend


def nested(levels: int) -> dict[str, Any]:
    """Return an object nesting `levels` objects deep."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def with_schema_depth(levels: int) -> dict[str, Any]:
    """Return a chat body whose tool schema makes the whole body `levels` deep."""
    tool = {"type": "function", "function": {"name": "f", "parameters": nested(levels - 4)}}
    return {"messages": [USER], "tools": [tool]}


# --- the body size --------------------------------------------------------------------------


def body_limit(env: Mapping[str, str]) -> int:
    """Return the body limit the settings read from `env`."""
    return Settings.from_env(env).max_body_bytes


def test_body_limit_defaults_to_one_mebibyte() -> None:
    assert body_limit({}) == DEFAULT_MAX_BODY_BYTES == 1_048_576
    assert body_limit({"MAX_BODY_BYTES": " "}) == DEFAULT_MAX_BODY_BYTES
    assert body_limit({"MAX_BODY_BYTES": "2048"}) == 2048


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "-1",
        "1e6",
        "1.5",
        "abc",
        "\xb2",
        "\u0661\u0662",
        str(MAX_BODY_BYTES_CEILING + 1),
        "9" * 5000,
    ],
)
def test_a_bad_body_limit_is_misconfigured_naming_the_variable(raw: str) -> None:
    with pytest.raises(RelayError) as caught:
        body_limit({"MAX_BODY_BYTES": raw})
    assert caught.value.status == 500
    assert caught.value.code == "misconfigured"
    assert "MAX_BODY_BYTES" in caught.value.message


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12), (" 7 ", 7), ("0", 0), (None, None), ("abc", None), ("\xb2", None), ("-3", None)],
)
def test_declared_length_reads_only_plain_numbers(header: str | None, expected: int | None) -> None:
    assert parse_byte_count(header) == expected


@pytest.mark.parametrize(
    ("declared", "body"), [(None, b"x" * 11), ("11", b""), ("5", b"x" * 11), ("11", b"x" * 11)]
)
def test_a_body_over_the_limit_declared_or_actual_is_refused(
    declared: str | None, body: bytes
) -> None:
    headers = [] if declared is None else [("content-length", declared)]
    with pytest.raises(BodyTooLargeError):
        run(Request("POST", "/v1/responses", headers, body).read_body(10))


def test_the_413_names_the_limit_and_the_variable() -> None:
    error = too_large(10)
    assert error.status == 413
    assert error.code == "request_too_large"
    assert "10 bytes" in error.message
    assert "MAX_BODY_BYTES" in error.message


def test_a_body_at_the_limit_passes() -> None:
    request = Request("POST", "/v1/responses", [("content-length", "10")], b"x" * 10)
    assert run(request.read_body(10)) == b"x" * 10


def test_the_size_is_checked_before_the_body_is_parsed() -> None:
    client = CoreClient({**ANYONE, "MAX_BODY_BYTES": "100"})
    response = client.post("/v1/responses", content=b"{" * 101, headers=JSON)
    assert response.status == 413
    assert "100 bytes" in response.error["message"]
    assert client.backend.calls == []


def test_a_declared_length_over_the_limit_is_413_before_any_body() -> None:
    declared = ("content-length", str(DEFAULT_MAX_BODY_BYTES + 1))
    response = CoreClient().post("/v1/chat/completions", headers=(*JSON, declared))
    assert response.status == 413
    assert str(DEFAULT_MAX_BODY_BYTES) in response.error["message"]


def test_the_default_limit_applies_without_configuration() -> None:
    padding = "x" * DEFAULT_MAX_BODY_BYTES
    response, _ = chat({"messages": [{"role": "user", "content": padding}]})
    assert response.status == 413


def test_a_body_within_a_raised_limit_is_served() -> None:
    # Two texts within the per-text limit, together over the default body limit.
    messages = [{"role": "user", "content": "y" * (DEFAULT_MAX_BODY_BYTES // 2 + 10)}] * 2
    env = {"MAX_BODY_BYTES": str(2 * DEFAULT_MAX_BODY_BYTES)}
    response, backend = chat({"messages": messages}, env)
    assert response.status == 200
    assert backend.call.inputs["messages"] == messages


# --- the shape ------------------------------------------------------------------------------


def test_text_depth_counts_arrays_and_objects() -> None:
    assert text_depth('"text"') == 0
    assert text_depth("{}") == 1
    assert text_depth("[[[]]]") == 3
    assert text_depth('{"a": [{"b": 1}], "c": 2}') == 3
    assert text_depth(json.dumps(with_schema_depth(MAX_JSON_DEPTH))) == MAX_JSON_DEPTH


def test_text_depth_ignores_brackets_inside_strings() -> None:
    assert text_depth(json.dumps({"a": "[[[{{{", "b": ['\\"[', "]]]"]})) == 2


def test_unclosed_nesting_far_past_the_limit_is_refused_before_parsing() -> None:
    # Pyodide's parser overflows the JS stack near 8,000 levels and kills the runtime.
    client = CoreClient()
    response = client.post("/v1/chat/completions", content=b"[" * 10_000, headers=JSON)
    assert response.status == 400
    assert response.error["code"] == "too_deep"
    assert client.backend.calls == []


def test_nesting_at_the_limit_passes() -> None:
    response, _ = chat(with_schema_depth(MAX_JSON_DEPTH))
    assert response.status == 200


def test_nesting_past_the_limit_is_400_naming_it() -> None:
    response, backend = chat(with_schema_depth(MAX_JSON_DEPTH + 1))
    assert response.status == 400
    error = response.error
    assert error["code"] == "too_deep"
    assert f"{MAX_JSON_DEPTH} levels" in error["message"]
    assert backend.calls == []


def test_nesting_too_deep_for_the_parser_also_names_the_limit() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = CoreClient().post("/v1/chat/completions", content=body, headers=JSON)
    assert response.status == 400
    assert response.error["code"] == "too_deep"
    assert str(MAX_JSON_DEPTH) in response.error["message"]


def test_too_many_messages_is_400_naming_the_count() -> None:
    response, _ = chat({"messages": [USER] * (MAX_MESSAGES + 1)})
    assert response.status == 400
    error = response.error
    assert error["param"] == "messages"
    assert str(MAX_MESSAGES) in error["message"]
    assert chat({"messages": [USER] * MAX_MESSAGES})[0].status == 200


def test_too_many_input_items_is_400_naming_the_count() -> None:
    response, _ = responses({"input": [USER] * (MAX_MESSAGES + 1)})
    assert response.status == 400
    assert response.error["param"] == "input"
    assert str(MAX_MESSAGES) in response.error["message"]


def test_too_long_a_text_is_400_naming_the_length() -> None:
    env = {"MAX_BODY_BYTES": str(4 * DEFAULT_MAX_BODY_BYTES)}
    text = "z" * (MAX_TEXT_CHARS + 1)
    response, _ = chat({"messages": [{"role": "user", "content": text}]}, env)
    assert response.status == 400
    error = response.error
    assert error["param"] == "messages[0].content"
    assert str(MAX_TEXT_CHARS) in error["message"]


def test_too_many_tools_is_400_naming_the_count() -> None:
    tool = {"type": "function", "function": {"name": "f"}}
    response, _ = chat({"messages": [USER], "tools": [tool] * (MAX_TOOLS + 1)})
    assert response.status == 400
    assert response.error["param"] == "tools"
    assert str(MAX_TOOLS) in response.error["message"]
    pro_tool = {"type": "function", "name": "f"}
    response, _ = responses({"input": "x", "tools": [pro_tool] * (MAX_TOOLS + 1)})
    assert response.error["param"] == "tools"


# --- the output cap -------------------------------------------------------------------------

CAP = {"MAX_OUTPUT_TOKENS": "100"}


def test_without_a_cap_nothing_is_added() -> None:
    response, backend = chat({"messages": [USER]})
    assert response.status == 200
    assert backend.call.inputs == {"messages": [USER]}


def test_the_cap_is_added_when_a_chat_caller_sets_none() -> None:
    _, backend = chat({"messages": [USER]}, CAP)
    assert backend.call.inputs == {"messages": [USER], "max_completion_tokens": 100}


def test_the_cap_is_added_when_a_responses_caller_sets_none() -> None:
    _, backend = responses({"input": "x"}, CAP)
    assert backend.call.inputs == {"input": "x", "max_output_tokens": 100}


@pytest.mark.parametrize(
    ("route", "param"),
    [("chat", "max_tokens"), ("chat", "max_completion_tokens"), ("responses", "max_output_tokens")],
)
def test_a_limit_within_the_cap_is_sent_as_is(route: str, param: str) -> None:
    send = chat if route == "chat" else responses
    base: dict[str, Any] = {"messages": [USER]} if route == "chat" else {"input": "x"}
    response, backend = send({**base, param: 100}, CAP)
    assert response.status == 200
    assert backend.call.inputs == {**base, param: 100}


@pytest.mark.parametrize(
    ("route", "param"),
    [("chat", "max_tokens"), ("chat", "max_completion_tokens"), ("responses", "max_output_tokens")],
)
def test_a_limit_over_the_cap_is_rejected_naming_the_parameter_and_cap(
    route: str, param: str
) -> None:
    send = chat if route == "chat" else responses
    base: dict[str, Any] = {"messages": [USER]} if route == "chat" else {"input": "x"}
    response, backend = send({**base, param: 101}, CAP)
    assert response.status == 400
    error = response.error
    assert error["param"] == param
    assert error["code"] == "invalid_value"
    assert "100" in error["message"]
    assert "MAX_OUTPUT_TOKENS" in error["message"]
    assert backend.calls == []


def test_max_tokens_over_the_cap_is_rejected_even_beside_max_completion_tokens() -> None:
    response, backend = chat(
        {"messages": [USER], "max_tokens": 5000, "max_completion_tokens": 10}, CAP
    )
    assert response.status == 400
    assert response.error["param"] == "max_tokens"
    assert backend.calls == []


@pytest.mark.parametrize("raw", ["0", "-5", "many"])
def test_a_bad_cap_is_misconfigured(raw: str) -> None:
    response, _ = chat({"messages": [USER]}, {"MAX_OUTPUT_TOKENS": raw})
    assert response.status == 500
    assert "MAX_OUTPUT_TOKENS" in response.error["message"]


# --- the local host over HTTP ---------------------------------------------------------------


def test_local_host_answers_413_for_a_declared_length_over_the_limit() -> None:
    app = build_app({"MAX_BODY_BYTES": "64"})
    response = asgi_request(app, "POST", "/v1/chat/completions", content=b"{" * 65)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert "64 bytes" in response.json()["error"]["message"]


def test_local_host_stops_reading_a_chunked_body_past_the_limit() -> None:
    pulled: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for n in range(100):
            pulled.append(n)
            yield b" " * 1024

    app = build_app({"MAX_BODY_BYTES": "4096"})
    response = asgi_request(app, "POST", "/v1/chat/completions", content=chunks())
    assert response.status_code == 413
    assert len(pulled) < 10


def sdk_chat(env: Mapping[str, str], **params: Any) -> openai.types.chat.ChatCompletion:
    """Ask the local host for a chat completion with the SDK."""

    async def go() -> openai.types.chat.ChatCompletion:
        async with asgi_sdk(build_app(env)) as sdk:
            completion: openai.types.chat.ChatCompletion = await sdk.chat.completions.create(
                model="gpt-5.4-mini",
                messages=[{"role": "user", "content": "one two three four five six"}],
                **params,
            )
            return completion

    return run(go())


def test_sdk_sees_bad_request_naming_the_output_parameter_over_the_cap() -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk_chat({"MAX_OUTPUT_TOKENS": "3"}, max_completion_tokens=4)
    assert caught.value.param == "max_completion_tokens"
    assert "3" in caught.value.message


def test_local_model_answers_within_the_cap_the_relay_added() -> None:
    completion = sdk_chat({"MAX_OUTPUT_TOKENS": "3"})
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 3


def test_an_operator_cap_above_the_models_bound_is_added_as_the_bound() -> None:
    response, backend = chat(
        {"messages": [{"role": "user", "content": "x"}]}, {"MAX_OUTPUT_TOKENS": "500000"}
    )
    assert response.status == 200
    assert backend.call.inputs["max_completion_tokens"] == MAX_MINI_OUTPUT_TOKENS
