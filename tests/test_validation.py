"""Reading the request body as a JSON object, and rendering validation errors as 400s."""

from __future__ import annotations

from typing import Any

import pytest

from airelay.core.errors import RelayError
from airelay.core.models import ChatCompletionRequest, ResponsesRequest
from airelay.core.validation import read_json_object, validate


def post(body: bytes, content_type: str | None = "application/json") -> tuple[bytes, str | None]:
    """Return a POST body with, unless None, that content type."""
    return body, content_type


def read_error(request: tuple[bytes, str | None]) -> RelayError:
    """Read `request`, expecting a RelayError."""
    with pytest.raises(RelayError) as caught:
        read_json_object(*request)
    return caught.value


# --- content type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.api+json",
        None,  # curl --data-binary without -H: accepted, the body decides
    ],
)
def test_json_content_types_are_accepted(content_type: str | None) -> None:
    assert read_json_object(*post(b'{"a": 1}', content_type)) == {"a": 1}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_other_content_types_are_415_naming_the_type(content_type: str) -> None:
    error = read_error(post(b'{"a": 1}', content_type))
    assert (error.status, error.code) == (415, "unsupported_media_type")
    assert repr(content_type) in error.message
    assert "application/json" in error.message


# --- the body ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"  \n\t "])
def test_an_empty_body_is_a_400(body: bytes) -> None:
    error = read_error(post(body))
    assert (error.status, error.code) == (400, "invalid_json")
    assert "empty" in error.message


def test_a_body_that_is_not_utf8_is_a_400_naming_the_byte() -> None:
    error = read_error(post(b'{"a": "\xff"}'))
    assert (error.status, error.code) == (400, "invalid_json")
    assert error.message == "The request body is not valid UTF-8 (byte 7)."


def test_invalid_json_is_a_400_saying_where() -> None:
    error = read_error(post(b'{"a": 1,\n "b": }'))
    assert (error.status, error.code) == (400, "invalid_json")
    assert error.message.startswith("The request body is not valid JSON: ")
    assert "line 2 column 7" in error.message


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(constant: bytes) -> None:
    # Python's json reads them; passed on, they would come back in answers no parser reads.
    error = read_error(post(b'{"temperature": ' + constant + b"}"))
    assert (error.status, error.code) == (400, "invalid_json")
    assert constant.decode().lstrip("-") in error.message


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"[1, 2]", "an array"),
        (b'"hello"', "a string"),
        (b"42", "a number"),
        (b"4.2", "a number"),
        (b"true", "a boolean"),
        (b"null", "null"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_400_naming_what_it_is(body: bytes, kind: str) -> None:
    error = read_error(post(body))
    assert (error.status, error.code) == (400, "invalid_json")
    assert error.message == f"The request body must be a JSON object, not {kind}."


@pytest.mark.parametrize("number", [b"1e999", b"-1e999", b"1.5e400"])
def test_a_number_out_of_float_range_is_not_json(number: bytes) -> None:
    # 1e999 reads as infinity, which no JSON encoder can write back to the binding.
    error = read_error(post(b'{"temperature": ' + number + b"}"))
    assert (error.status, error.code) == (400, "invalid_json")
    assert "out of range" in error.message


def test_a_number_too_long_to_read_is_a_400_not_a_crash() -> None:
    error = read_error(post(b'{"max_tokens": ' + b"9" * 5_000 + b"}"))
    assert (error.status, error.code) == (400, "invalid_json")
    assert "too long" in error.message


def test_a_body_nested_past_the_parsers_limit_is_a_400_not_a_crash() -> None:
    error = read_error(post(b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"))
    assert error.status == 400
    assert "nest" in error.message


def test_a_json_object_is_returned_as_sent() -> None:
    body = b'{"messages": [{"role": "user", "content": "h\\u00e9"}], "x": [1, 2.5, null]}'
    assert read_json_object(*post(body)) == {
        "messages": [{"role": "user", "content": "hé"}],
        "x": [1, 2.5, None],
    }


# --- rendering validation errors -------------------------------------------------------------


def invalid(
    schema: type[ChatCompletionRequest | ResponsesRequest], data: dict[str, Any]
) -> RelayError:
    """Validate `data`, expecting a 400."""
    with pytest.raises(RelayError) as caught:
        validate(schema, data)
    assert caught.value.status == 400
    assert caught.value.type == "invalid_request_error"
    return caught.value


def test_validate_returns_the_parsed_model() -> None:
    parsed = validate(ChatCompletionRequest, {"messages": [{"role": "user", "content": "hi"}]})
    assert isinstance(parsed, ChatCompletionRequest)


def test_list_indices_are_rendered_in_brackets() -> None:
    data = {
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text"}]},
        ]
    }
    error = invalid(ChatCompletionRequest, data)
    assert error.param == "messages[1].content[1].text"
    assert error.message == "Missing required parameter: 'messages[1].content[1].text'."


def test_union_branch_names_never_reach_the_caller() -> None:
    # pydantic locates this error under tags like "user" and "list[...]"; callers only
    # know the body's own keys.
    data = {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}
    error = invalid(ChatCompletionRequest, data)
    assert error.param == "messages[0].content[0].text"
    assert "tagged-union" not in error.message
    assert "list[" not in error.message


@pytest.mark.parametrize(
    ("part", "param"),
    [
        # pydantic locates these under the union tag "text" / "image_url", which is also a
        # key of the part: the error is about the part's unknown key, not about that key.
        ({"type": "text", "text": "a", "y": 1}, "messages[0].content[0].y"),
        (
            {"type": "image_url", "image_url": {"url": "https://x"}, "y": 1},
            "messages[0].content[0].y",
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://x", "y": 1}},
            "messages[0].content[0].image_url.y",
        ),
        ({"type": "text", "text": 5}, "messages[0].content[0].text"),
    ],
)
def test_a_field_named_like_its_union_tag_is_still_located(
    part: dict[str, Any], param: str
) -> None:
    data = {"messages": [{"role": "user", "content": [part]}]}
    assert invalid(ChatCompletionRequest, data).param == param


def test_the_alternatives_of_a_union_are_joined_into_one_sentence() -> None:
    error = invalid(ChatCompletionRequest, {"messages": [{"role": "user", "content": 1}]})
    assert error.message == (
        "Invalid value for 'messages[0].content': Input should be a valid string or a valid list."
    )


def test_a_discriminator_mismatch_names_the_object_and_the_known_tags() -> None:
    error = invalid(ChatCompletionRequest, {"messages": [{"role": "robot", "content": "x"}]})
    assert error.param == "messages[0]"
    assert "'robot'" in error.message
    assert "'assistant'" in error.message


def test_an_input_item_without_role_or_known_type_says_what_an_item_must_be() -> None:
    error = invalid(ResponsesRequest, {"input": [{"content": "x"}]})
    assert error.param == "input[0]"
    assert "message (with `role`) or have a known `type`" in error.message


def test_of_several_errors_the_most_specific_one_is_reported() -> None:
    data = {
        "messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}],
        "temperature": 9,
    }
    error = invalid(ChatCompletionRequest, data)
    assert error.param == "messages[0].content[0].text"
    assert error.message == (
        "Invalid value for 'messages[0].content[0].text': Input should be a valid string."
    )
