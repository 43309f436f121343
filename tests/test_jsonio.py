"""The one strict JSON loader: bounded nesting, finite numbers, clear reasons."""

from __future__ import annotations

import pytest

from airelay.core import jsonio


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
