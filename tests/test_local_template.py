"""The local model's templates: JSON and events encoded once with named slots, the same bytes
as encoding each whole."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airelay.backends.local.template import EventTemplate, JsonTemplate, RawJson, slot
from airelay.core import jsonio
from airelay.core.sse import encode

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


TEMPLATE = EventTemplate(
    delta_event(slot("number"), slot("delta")), event="response.output_text.delta"
)
CHUNK = EventTemplate(
    {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": slot("token")}}]}
)


def same_bytes_or_same_error(template: EventTemplate, data: dict[str, Any], **values: Any) -> None:
    """Assert `template(**values)` is `encode(data)`, or both raise UnicodeEncodeError."""
    try:
        expected = encode(data, event=data.get("type"))
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            template(**values)
        return
    assert template(**values) == expected


@settings(max_examples=300, deadline=None)
@given(number=VALUES, delta=VALUES)
def test_a_filled_template_is_byte_for_byte_the_encoded_event(number: Any, delta: Any) -> None:
    same_bytes_or_same_error(TEMPLATE, delta_event(number, delta), number=number, delta=delta)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8")))
def test_a_filled_chat_chunk_is_byte_for_byte_the_encoded_chunk(text: str) -> None:
    data = {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": text}}]}
    assert CHUNK(token=text) == encode(data)


@settings(max_examples=300, deadline=None)
@given(number=st.integers(min_value=0), text=st.text(alphabet=st.characters(codec="utf-8")))
def test_the_per_token_fills_give_the_encoded_events(number: int, text: str) -> None:
    # EventTemplate.text and .numbered_text: the local model's fills for each token.
    assert CHUNK.text(text) == CHUNK(token=text)
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
    same_bytes_or_same_error(TEMPLATE, delta_event(7, text), number=7, delta=text)


def test_fixed_parts_keep_their_percent_signs_and_braces() -> None:
    data = {"a%s": "%d {} {{x}}", "v": slot("v"), "z": "100%"}
    assert EventTemplate(data)(v="x") == encode({**data, "v": "x"})


def test_a_slot_used_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="each slot must appear once: a, a"):
        EventTemplate({"a": slot("a"), "b": slot("a")})


def test_a_fill_must_name_every_slot_and_no_other() -> None:
    template = JsonTemplate({"a": slot("a"), "b": slot("b")})
    with pytest.raises(TypeError, match="fill exactly these slots: a, b"):
        template(a=1)
    with pytest.raises(KeyError, match="b"):
        template(a=1, c=2)


def test_slots_fill_by_name_in_whatever_order_the_text_holds_them() -> None:
    data = {"z": slot("first"), "a": [slot("second")]}
    assert JsonTemplate(data)(second=2, first=1) == jsonio.encode({"z": 1, "a": [2]})


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_any_number_of_slots_is_filled_by_name(count: int) -> None:
    values = {f"s{index}": f"v{index}" if index % 2 else index for index in range(count)}
    data = {f"k{index}": slot(f"s{index}") for index in range(count)}
    filled = {f"k{index}": value for index, value in enumerate(values.values())}
    assert EventTemplate(data, event="e")(**values) == encode(filled, event="e")


def test_a_json_template_wraps_its_text_as_told() -> None:
    template = JsonTemplate({"a": slot("a")}, before="<", after=">")
    assert template(a=RawJson('{"x":1}')) == '<{"a":{"x":1}}>'


@given(inner=st.dictionaries(st.text(max_size=5), st.integers() | st.text(), max_size=3))
def test_a_template_splices_raw_json_as_it_is_and_values_as_json(inner: dict[str, Any]) -> None:
    template = JsonTemplate({"a": slot("a"), "b": slot("b")}, "<", ">")
    raw = RawJson(jsonio.encode(inner))
    assert template(a=raw, b="x%s\n") == "<" + jsonio.encode({"a": inner, "b": "x%s\n"}) + ">"
