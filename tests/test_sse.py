"""Server-sent events: the encoder and the incremental decoder (WHATWG HTML 9.2.6)."""

from __future__ import annotations

import pytest

from airelay.core.sse import Decoder, Event, encode


def decode_all(*chunks: bytes) -> list[Event]:
    """Decode `chunks` in order, then end the stream."""
    decoder = Decoder()
    events = [event for chunk in chunks for event in decoder.decode(chunk)]
    return events + decoder.flush()


# --- encode ----------------------------------------------------------------------------------


def test_json_data_is_compact_utf8() -> None:
    assert encode({"a": "caf\u00e9", "b": [1, 2]}) == 'data: {"a":"café","b":[1,2]}\n\n'.encode()


def test_an_event_name_comes_first() -> None:
    assert encode({"type": "x"}, event="response.created") == (
        b'event: response.created\ndata: {"type":"x"}\n\n'
    )


def test_a_string_is_sent_literally() -> None:
    assert encode("[DONE]") == b"data: [DONE]\n\n"


@pytest.mark.parametrize("text", ["one\ntwo", "one\r\ntwo", "one\rtwo", "\n", "end\n"])
def test_a_multi_line_string_becomes_one_data_line_per_line(text: str) -> None:
    # A raw line break inside one `data:` line would end the field (and the event) early.
    events = decode_all(encode(text))
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert events == [Event("message", expected)]


def test_encode_and_decode_round_trip_json() -> None:
    payload = {"delta": "line one\nline two \u2028 \U0001f600", "n": 3}
    (event,) = decode_all(encode(payload, event="delta"))
    assert event.event == "delta"
    assert event.json() == payload


# --- decode: framing -------------------------------------------------------------------------

SAMPLE = (
    b": a comment\n"
    b"event: response.created\n"
    b'data: {"type":"response.created","text":"caf\xc3\xa9 \xf0\x9f\x98\x80"}\n'
    b"\n"
    b"data: first line\n"
    b"data: second line\n"
    b"\n"
    b"data: [DONE]\n"
    b"\n"
)
SAMPLE_EVENTS = [
    Event("response.created", '{"type":"response.created","text":"café \U0001f600"}'),
    Event("message", "first line\nsecond line"),
    Event("message", "[DONE]"),
]


def test_a_stream_decodes_into_its_events() -> None:
    assert decode_all(SAMPLE) == SAMPLE_EVENTS


@pytest.mark.parametrize("split", range(1, len(SAMPLE)))
def test_a_stream_split_anywhere_decodes_the_same(split: int) -> None:
    # Including inside a multi-byte character and between the two newlines of a blank line.
    assert decode_all(SAMPLE[:split], SAMPLE[split:]) == SAMPLE_EVENTS


def test_a_stream_fed_one_byte_at_a_time_decodes_the_same() -> None:
    assert decode_all(*(SAMPLE[i : i + 1] for i in range(len(SAMPLE)))) == SAMPLE_EVENTS


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_lf_crlf_and_cr_all_end_lines(newline: bytes) -> None:
    stream = SAMPLE.replace(b"\n", newline)
    assert decode_all(stream) == SAMPLE_EVENTS


def test_a_crlf_split_between_chunks_is_one_line_end() -> None:
    # Were the CR taken as a line end on its own, the LF would be a blank line and dispatch.
    assert decode_all(b"data: a\r", b"\ndata: b\r\n\r\n") == [Event("message", "a\nb")]


def test_a_cr_that_ends_the_stream_ends_its_line() -> None:
    # Held back in case an LF follows, it must still count once the stream is over.
    assert decode_all(b"data: x\r", b"\r") == [Event("message", "x")]
    assert decode_all(b"data: x\r") == []


def test_events_are_returned_as_soon_as_their_blank_line_arrives() -> None:
    decoder = Decoder()
    assert decoder.decode(b"data: one\n") == []
    assert decoder.decode(b"\ndata: tw") == [Event("message", "one")]
    assert decoder.decode(b"o\n\n") == [Event("message", "two")]


def test_an_unterminated_last_event_is_dropped() -> None:
    assert decode_all(b"data: complete\n\ndata: cut off\n") == [Event("message", "complete")]


def test_flush_resets_the_decoder() -> None:
    decoder = Decoder()
    decoder.decode(b"event: x\ndata: cut off\n")
    decoder.flush()
    assert decoder.decode(b"data: fresh\n\n") == [Event("message", "fresh")]


# --- decode: fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "data"),
    [
        (b"data: x", "x"),
        (b"data:x", "x"),
        (b"data:  x", " x"),  # only one space is the separator's
        (b"data: a: b", "a: b"),
        (b"data:", ""),
        (b"data", ""),  # a field name alone has an empty value
    ],
)
def test_the_data_field_value_is_parsed_per_the_spec(line: bytes, data: str) -> None:
    assert decode_all(line + b"\n\n") == [Event("message", data)]


def test_comments_and_unknown_fields_are_ignored() -> None:
    stream = b": keep-alive\nid: 7\nretry: 1000\nfoo: bar\ndata: x\n\n"
    assert decode_all(stream) == [Event("message", "x")]


def test_a_block_without_data_dispatches_nothing_and_forgets_its_event_name() -> None:
    assert decode_all(b"event: ping\n\ndata: x\n\n") == [Event("message", "x")]


def test_the_event_name_applies_to_one_event_only() -> None:
    assert decode_all(b"event: a\ndata: 1\n\ndata: 2\n\n") == [
        Event("a", "1"),
        Event("message", "2"),
    ]


def test_an_empty_event_name_means_message() -> None:
    assert decode_all(b"event:\ndata: x\n\n") == [Event("message", "x")]


# --- decode: UTF-8 -------------------------------------------------------------------------------


@pytest.mark.parametrize("split", [1, 2, 3, 4])
def test_a_leading_byte_order_mark_is_dropped_even_when_split(split: int) -> None:
    stream = b"\xef\xbb\xbfdata: x\n\n"
    assert decode_all(stream[:split], stream[split:]) == [Event("message", "x")]


def test_only_the_first_byte_order_mark_is_dropped() -> None:
    # A later one is part of a field name, which then names no known field.
    stream = b"\xef\xbb\xbfdata: x\n\n\xef\xbb\xbfdata: y\n\n"
    assert decode_all(stream) == [Event("message", "x")]


def test_bytes_that_only_begin_like_a_byte_order_mark_are_kept() -> None:
    # They decode to U+FFFD, which makes the first field name unknown: nothing is dispatched.
    assert decode_all(b"\xef\xbb", b"data: x\n\n") == []
    assert decode_all(b"data: \xef\xbb\n\n") == [Event("message", "\ufffd")]


def test_invalid_utf8_is_replaced_and_the_stream_goes_on() -> None:
    stream = b"data: bad \xff byte\n\ndata: next\n\n"
    assert decode_all(stream) == [Event("message", "bad \ufffd byte"), Event("message", "next")]


def test_event_json_parses_the_data() -> None:
    assert Event("message", '{"a": [1, null]}').json() == {"a": [1, None]}
