"""The one strict JSON loader: bounded nesting, finite numbers, text that UTF-8 can carry."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airelay.core import jsonio
from airelay.hosts.local import build_app
from tests.client import CoreClient, asgi_request

LONE = [
    r'{"a": "\ud800"}',
    r'{"a": "\uDFFF"}',
    r'{"a": "x\udc00y"}',
    r'{"a": "\ud83d"}',  # a high surrogate with no low one after it
    r'{"a": "\ude00\ud83d"}',  # a pair in the wrong order
    r'{"\ud800": 1}',
    r'{"a": [[{"b": "\uD9FF"}]]}',
]
# The issue's body: a free-form object keeps the surrogate past validation.
HOSTILE_TOOL = (
    r'{"input": "hi", "tools": [{"type": "function", "name": "f", '
    r'"parameters": {"x": "\ud800"}}]'
)


@pytest.mark.parametrize("text", LONE)
def test_a_lone_surrogate_escape_is_a_json_error(text: str) -> None:
    with pytest.raises(jsonio.JsonError) as caught:
        jsonio.loads(text)
    assert "surrogate" in caught.value.reason
    assert not caught.value.too_deep


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r'{"a": "\ud83d\ude00"}', {"a": "\U0001f600"}),
        (r'{"a": "\\ud800"}', {"a": "\\ud800"}),  # an escaped backslash, then plain text
        (r'{"a": "\u00e9\u2028"}', {"a": "\u00e9\u2028"}),
    ],
)
def test_paired_surrogates_and_other_escapes_are_read(text: str, value: Any) -> None:
    assert jsonio.loads(text) == value


@pytest.mark.parametrize("path", ["/v1/responses", "/v1/chat/completions"])
@pytest.mark.parametrize("stream", [False, True])
def test_the_core_answers_a_lone_surrogate_with_a_400_invalid_json(path: str, stream: bool) -> None:
    client = CoreClient()
    body = HOSTILE_TOOL + (', "stream": true}' if stream else "}")
    result = client.post(path, content=body, headers={"content-type": "application/json"})
    assert result.status == 400
    assert result.error["code"] == "invalid_json"
    assert "surrogate" in result.error["message"]
    assert client.backend.calls == []


def post_local(path: str, body: str, env: dict[str, str]) -> httpx.Response:
    """POST raw text to the local host with the local model, in process."""
    lines: list[str] = []
    app = build_app(env, log=lines.append)
    headers = {"content-type": "application/json"}
    response = asgi_request(app, "POST", path, content=body.encode(), headers=headers)
    for line in lines:
        line.encode()
        json.loads(line)
    return response


@pytest.mark.parametrize("stream", [False, True])
def test_the_local_host_answers_the_issues_body_with_a_400_not_a_500(stream: bool) -> None:
    body = HOSTILE_TOOL + (', "stream": true}' if stream else "}")
    response = post_local("/v1/responses", body, {})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("stream", [False, True])
def test_escaped_text_that_is_unicode_round_trips_through_logs_and_streams(stream: bool) -> None:
    body = (
        r'{"messages": [{"role": "user", "content": "\ud83d\ude00 \u2028 \\ud800"}], '
        r'"tools": [{"type": "function", "function": {"name": "f", '
        r'"parameters": {"x": "\ud83d\ude00"}}}], "stream": ' + json.dumps(stream) + "}"
    )
    response = post_local("/v1/chat/completions", body, {"LOG_PROMPTS": "true"})
    assert response.status_code == 200
    response.content.decode("utf-8")


def reason_of(text: str) -> jsonio.JsonError:
    """Parse `text`, expecting a JsonError."""
    with pytest.raises(jsonio.JsonError) as caught:
        jsonio.loads(text)
    return caught.value


def test_valid_json_is_returned_as_python_data() -> None:
    assert jsonio.loads('{"a": [1, 2.5, null, true, "x"]}') == {"a": [1, 2.5, None, True, "x"]}


def test_nesting_past_the_limit_is_refused_before_parsing() -> None:
    error = reason_of("[" * (jsonio.MAX_JSON_DEPTH + 1) + "]" * (jsonio.MAX_JSON_DEPTH + 1))
    assert error.too_deep
    assert str(jsonio.MAX_JSON_DEPTH) in error.reason


def test_many_brackets_that_do_not_nest_are_read() -> None:
    # More opening brackets than the limit, in strings and side by side: still shallow.
    text = json.dumps({"text": "[{" * 100, "lists": [[]] * 100})
    assert jsonio.loads(text) == {"text": "[{" * 100, "lists": [[]] * 100}


def test_deep_nesting_mixed_with_many_shallow_brackets_is_refused() -> None:
    depth = jsonio.MAX_JSON_DEPTH + 1
    error = reason_of('["[[[[", ' + "[" * depth + "]" * depth + "]")
    assert error.too_deep


def test_nesting_at_the_limit_is_read() -> None:
    depth = jsonio.MAX_JSON_DEPTH
    value = jsonio.loads("[" * depth + "]" * depth)
    for _ in range(depth - 1):
        (value,) = value
    assert value == []


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e999", "[-1.5e400]"])
def test_numbers_json_cannot_carry_back_are_refused(text: str) -> None:
    error = reason_of(text)
    assert not error.too_deep
    assert error.reason.startswith("is not valid JSON")


def test_syntax_errors_say_where() -> None:
    assert "line 1 column 6" in reason_of('{"a" 1}').reason


def test_a_number_too_long_to_read_is_a_json_error_not_a_crash() -> None:
    assert "number too long" in reason_of("1" * 5000).reason


@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_the_compact_encoder_writes_what_json_dumps_writes(value: Any) -> None:
    # Built once over the C encoder (jsonio.encoder), without json.dumps's setup.
    assert jsonio.encode(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    ("content_type", "media_type", "is_json"),
    [
        ("application/json", "application/json", True),
        ("Application/JSON; charset=utf-8", "application/json", True),
        ("application/vnd.api+json", "application/vnd.api+json", True),
        ("text/plain; charset=utf-8", "text/plain", False),
        ("application/json-seq", "application/json-seq", False),
        ("", "", False),
        (None, "", False),
    ],
)
def test_a_content_type_names_json_by_its_media_type(
    content_type: str | None, media_type: str, is_json: bool
) -> None:
    assert jsonio.media_type(content_type) == media_type
    assert jsonio.is_json_media_type(content_type) is is_json
