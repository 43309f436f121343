"""sse.Template: events encoded once with slots, the same bytes as encoding each whole."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airelay.core.sse import Template, encode, slot

ITEM = "msg_local" + "0123456789abcdef" * 2
VALUES = st.one_of(
    st.text(),
    st.integers(),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def delta_event(number: Any, delta: Any) -> dict[str, Any]:
    """Return a Responses-style delta event with these two values."""
    return {
        "type": "response.output_text.delta",
        "sequence_number": number,
        "item_id": ITEM,
        "output_index": 1,
        "content_index": 0,
        "delta": delta,
        "logprobs": [],
    }


TEMPLATE = Template(delta_event(slot(0), slot(1)), event="response.output_text.delta")
CHUNK = Template({"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": slot(0)}}]})


def same_bytes_or_same_error(template: Template, data: dict[str, Any], *values: Any) -> None:
    """Assert `template(*values)` is `encode(data)`, or both raise UnicodeEncodeError."""
    try:
        expected = encode(data, event=data.get("type"))
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            template(*values)
        return
    assert template(*values) == expected


@settings(max_examples=300, deadline=None)
@given(number=VALUES, delta=VALUES)
def test_a_filled_template_is_byte_for_byte_the_encoded_event(number: Any, delta: Any) -> None:
    same_bytes_or_same_error(TEMPLATE, delta_event(number, delta), number, delta)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8")))
def test_a_filled_chat_chunk_is_byte_for_byte_the_encoded_chunk(text: str) -> None:
    data = {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": text}}]}
    assert CHUNK(text) == encode(data)


@settings(max_examples=300, deadline=None)
@given(number=st.integers(min_value=0), text=st.text(alphabet=st.characters(codec="utf-8")))
def test_the_per_token_fills_give_the_encoded_events(number: int, text: str) -> None:
    # Template.text and Template.numbered_text: the local model's fills for each token.
    assert CHUNK.text(text) == CHUNK(text)
    expected = encode(delta_event(number, text), event="response.output_text.delta")
    assert TEMPLATE.numbered_text(number, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "café ☕ 𝄞",
        "line\nbreak\r\nand\rcarriage",
        "\u2028\u2029\x85",
        '"quoted" \\ back\\slash /',
        "%s %d %% {} {0} {{}}",
        "\x00\x01\x1f\x7f",
        "\ud800 lone surrogate",
    ],
)
def test_awkward_text_fills_a_template_as_encode_would(text: str) -> None:
    same_bytes_or_same_error(TEMPLATE, delta_event(7, text), 7, text)


def test_fixed_parts_keep_their_percent_signs_and_braces() -> None:
    data = {"a%s": "%d {} {{x}}", "v": slot(0), "z": "100%"}
    assert Template(data)("x") == encode({**data, "v": "x"})


def test_a_slot_used_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="slot 0"):
        Template({"a": slot(0), "b": slot(0)})


def test_slots_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="slot 1"):
        Template({"a": slot(1), "b": slot(0)})


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_any_number_of_slots_is_filled_in_order(count: int) -> None:
    values = [f"v{index}" if index % 2 else index for index in range(count)]
    data = {f"k{index}": slot(index) for index in range(count)}
    filled = {f"k{index}": value for index, value in enumerate(values)}
    assert Template(data, event="e")(*values) == encode(filled, event="e")
