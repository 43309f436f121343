"""The core's request type: case-insensitive headers, and a body read on demand up to a limit."""

from __future__ import annotations

import pytest

from airelay.core.types import BodyError, BodyTooLargeError, Headers, Request, parse_byte_count
from tests.fakes import run


def test_headers_are_found_whatever_their_case() -> None:
    headers = Headers([("Content-Type", "application/json")])
    assert headers["content-type"] == "application/json"
    assert headers.get("CONTENT-TYPE") == "application/json"
    assert "Content-type" in headers
    assert headers.get("accept") is None


def test_repeated_headers_join_with_a_comma_as_the_fetch_standard_says() -> None:
    headers = Headers([("x-a", "1"), ("X-A", "2"), ("x-b", "3")])
    assert headers["x-a"] == "1, 2"
    assert headers.raw() == (("x-a", "1"), ("x-a", "2"), ("x-b", "3"))
    assert len(headers) == 2


def test_headers_repr_shows_names_but_never_values() -> None:
    text = repr(Headers([("authorization", "Bearer sk-secret-value")]))
    assert "authorization" in text
    assert "sk-secret" not in text


def test_a_request_reads_its_body_through_the_hosts_reader_with_the_limit() -> None:
    asked: list[int] = []

    async def reader(limit: int) -> bytes:
        asked.append(limit)
        return b"hello"

    request = Request("POST", "/v1/responses", reader=reader)
    assert run(request.read_body(10)) == b"hello"
    assert run(request.read_body(10)) == b"hello"
    assert asked == [10]  # read once, then kept


def test_a_declared_length_over_the_limit_is_refused_without_reading() -> None:
    async def reader(limit: int) -> bytes:
        raise AssertionError("the body must not be read")

    request = Request("POST", "/", [("content-length", "11")], reader=reader)
    with pytest.raises(BodyTooLargeError):
        run(request.read_body(10))


def test_a_body_longer_than_the_limit_is_refused_after_the_reader_stops() -> None:
    async def reader(limit: int) -> bytes:
        return b"x" * (limit + 1)  # a host stops reading just past the limit

    with pytest.raises(BodyTooLargeError):
        run(Request("POST", "/", reader=reader).read_body(10))


def test_a_reader_failure_reaches_the_core_as_a_body_error() -> None:
    async def reader(limit: int) -> bytes:
        raise BodyError("connection reset")

    with pytest.raises(BodyError, match="connection reset"):
        run(Request("POST", "/", reader=reader).read_body(10))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("0", 0), (None, None), ("", None), ("1" * 19, None), ("+5", None)],
)
def test_byte_counts_are_plain_ascii_digits(raw: str | None, expected: int | None) -> None:
    assert parse_byte_count(raw) == expected
