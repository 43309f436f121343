"""Mapping upstream answers (status, error body, headers) to the relay's answer, on every host."""

from __future__ import annotations

import pytest

from airelay.core.errors import BackendError, RelayError
from airelay.core.jsonio import MAX_JSON_DEPTH
from airelay.core.upstream import (
    CONTENT_BLOCKED_CODES,
    MAX_DESCRIPTION_CHARS,
    MAX_ERROR_BODY_BYTES,
    MAX_RETRY_AFTER_S,
    answer_kind,
    coded_error,
    content_blocked,
    error_details,
    error_text,
    gateway_value,
    json_answer,
    json_object,
    retry_after,
    unreadable,
    upstream_error,
    upstream_failure,
    upstream_status,
)


@pytest.mark.parametrize(
    ("status", "relayed", "kind", "code"),
    [
        (408, 504, "api_error", "upstream_timeout"),
        (504, 504, "api_error", "upstream_timeout"),
        (524, 504, "api_error", "upstream_timeout"),
        (429, 429, "requests", "rate_limit_exceeded"),
        # The model refused the request: a 400, which SDKs do not retry.
        (400, 400, "invalid_request_error", "upstream_rejected"),
        (413, 400, "invalid_request_error", "upstream_rejected"),
        (422, 400, "invalid_request_error", "upstream_rejected"),
        (500, 502, "api_error", "upstream_error"),
        (503, 502, "api_error", "upstream_error"),
        (401, 502, "api_error", "upstream_error"),  # the relay's credentials, not the caller's
    ],
)
def test_each_upstream_status_maps_to_the_relays_answer(
    status: int, relayed: int, kind: str, code: str
) -> None:
    error = upstream_error(status, "what upstream said")
    assert isinstance(error, BackendError)
    assert (error.status, error.type, error.code) == (relayed, kind, code)
    assert "what upstream said" in error.message


def test_an_upstream_rate_limit_tells_the_caller_when_to_retry() -> None:
    response = upstream_error(429, "slow down").to_response()
    assert response.header("retry-after") == "1"


def test_a_rejected_request_says_which_status_upstream_gave() -> None:
    assert "(413)" in upstream_error(413, "too long").message


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (3040, 429),
        (3036, 429),
        (3007, 408),
        (3008, 408),
        (5007, 400),
        (3006, 413),
        (3023, 403),
        (500, 500),
        (429, 429),
        (9999, None),
        (42, None),
    ],
)
def test_upstream_status_reads_workers_ai_codes_and_http_statuses(
    code: int, status: int | None
) -> None:
    assert upstream_status(code) == status


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("17", "17"),
        (" 30 ", "30"),
        ("0", "0"),
        ("007", "7"),
        (str(MAX_RETRY_AFTER_S + 1), str(MAX_RETRY_AFTER_S)),
        ("99999999", str(MAX_RETRY_AFTER_S)),
        ("12345678901", "1"),  # more digits than any sane delay
        (None, "1"),
        ("", "1"),
        ("-5", "1"),
        ("1.5", "1"),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "1"),
        ("\u0663", "1"),  # a non-ASCII digit
        ("5\r\nx-injected: 1", "1"),
    ],
)
def test_an_upstream_retry_after_is_kept_only_as_bounded_delta_seconds(
    value: str | None, sent: str
) -> None:
    assert retry_after(value) == sent
    error = upstream_error(429, "busy", retry_after_value=value)
    assert error.to_response().header("retry-after") == sent


@pytest.mark.parametrize(
    ("body", "code", "description"),
    [
        (
            '{"internalCode": 3040, "description": "No more data centers", "name": "AiError"}',
            3040,
            "No more data centers",
        ),
        ('{"errors": [{"code": 3007, "message": "Request timeout"}]}', 3007, "Request timeout"),
        (
            '{"success": false, "result": [], "error": [{"code": 2016, "message": "Blocked"}]}',
            2016,
            "Blocked",
        ),
        ('{"error": [{"code": "2030", "message": "DLP"}]}', 2030, "DLP"),
        (
            '{"error": {"message": "Too long.", "type": "invalid_request_error",'
            ' "param": null, "code": "context_length_exceeded"}}',
            None,
            "Too long.",
        ),
        ('{"error": "model overloaded"}', None, "model overloaded"),
        ('{"message": "Bad input", "code": 5004}', 5004, "Bad input"),
        ('{"errors": [{"code": 10000}]}', 10000, "(no details)"),
        (
            "<html>\n  <h1>502   Bad Gateway</h1>\n</html>",
            None,
            "<html> <h1>502 Bad Gateway</h1> </html>",
        ),
        ("", None, "(no details)"),
        ("{not json", None, "{not json"),
        ('{"unrelated": true}', None, '{"unrelated": true}'),
        ('{"errors": [{"code": true, "message": "odd"}]}', None, "odd"),
    ],
)
def test_every_upstream_error_body_shape_gives_its_code_and_description(
    body: str, code: int | None, description: str
) -> None:
    assert error_details(body) == (code, description)


def test_a_long_error_body_is_cut_for_messages_and_logs() -> None:
    code, description = error_details("x" * 10_000)
    assert code is None
    assert len(description) == MAX_DESCRIPTION_CHARS
    assert description.endswith("\u2026")


def test_a_deeply_nested_error_body_is_quoted_as_text_not_parsed() -> None:
    body = '{"errors": ' + "[" * 5000 + "]" * 5000 + "}"
    code, description = error_details(body)
    assert code is None
    assert description.startswith('{"errors": [[[')


@pytest.mark.parametrize(
    ("status", "body", "relayed", "code"),
    [
        # A Workers AI internal code says more than the status it came with.
        (500, '{"internalCode": 3040, "description": "busy"}', 429, "rate_limit_exceeded"),
        (500, '{"internalCode": 5007, "description": "No such model"}', 400, "upstream_rejected"),
        (502, '{"errors": [{"code": 3007, "message": "timeout"}]}', 504, "upstream_timeout"),
        # Other codes leave the status in charge.
        (401, '{"error": [{"code": 2009, "message": "Unauthorized"}]}', 502, "upstream_error"),
        (400, '{"errors": [{"code": 500, "message": "odd"}]}', 400, "upstream_rejected"),
        (429, '{"error": {"message": "slow", "code": "rate_limit_exceeded"}}', 429,
         "rate_limit_exceeded"),
        (503, "Service Unavailable", 502, "upstream_error"),
        (524, "", 504, "upstream_timeout"),
        (422, "unprocessable", 400, "upstream_rejected"),
    ],
)  # fmt: skip
def test_an_upstream_failure_maps_by_status_and_error_body(
    status: int, body: str, relayed: int, code: str
) -> None:
    error = upstream_failure(status, body)
    assert (error.status, error.code) == (relayed, code)


@pytest.mark.parametrize("blocked", sorted(CONTENT_BLOCKED_CODES))
@pytest.mark.parametrize("status", [400, 403, 424, 500])
def test_guardrail_and_dlp_blocks_are_a_400_content_blocked(blocked: int, status: int) -> None:
    body = f'{{"success": false, "error": [{{"code": {blocked}, "message": "Blocked by policy"}}]}}'
    error = upstream_failure(status, body)
    assert error.status == 400
    assert error.type == "invalid_request_error"
    assert error.code == "content_blocked"
    assert f"({blocked})" in error.message
    assert "Blocked by policy" in error.message
    assert error.headers == ()


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        (2016, "AI Gateway Guardrails blocked the prompt"),
        (2017, "AI Gateway Guardrails blocked the model's response"),
        (2029, "AI Gateway Data Loss Prevention blocked the prompt"),
        (2030, "AI Gateway Data Loss Prevention blocked the model's response"),
    ],
)
def test_a_content_block_says_who_blocked_what(code: int, phrase: str) -> None:
    assert content_blocked(code, "why").message.startswith(phrase)


def test_an_upstream_429_passes_its_retry_after_on() -> None:
    error = upstream_failure(429, "slow down", "42")
    assert error.to_response().header("retry-after") == "42"
    assert upstream_failure(500, '{"internalCode": 3040, "description": "x"}', "9").headers == (
        ("retry-after", "9"),
    )


@pytest.mark.parametrize(
    ("code", "status", "relayed"),
    [
        (3040, None, 429),
        (500, None, 502),
        (2017, None, 400),
        (9999, None, None),  # neither a known code nor an HTTP status: the caller decides
        (9999, 503, 502),
        (None, 408, 504),
        (None, None, None),
    ],
)
def test_coded_error_uses_the_code_then_the_status(
    code: int | None, status: int | None, relayed: int | None
) -> None:
    error = coded_error(code, "what upstream said", status)
    assert (error.status if error else None) == relayed


def test_an_error_body_nested_past_the_json_depth_limit_is_quoted_as_text() -> None:
    depth = MAX_JSON_DEPTH + 1
    body = '{"errors": [{"code": 3040, "message": "busy", "x": ' + "[" * depth + "]" * depth + "}]}"
    code, description = error_details(body)
    assert code is None
    assert description.startswith('{"errors": [{"code": 3040')
    shallow = '{"errors": [{"code": 3040, "message": "busy", "x": [[[]]]}]}'
    assert error_details(shallow) == (3040, "busy")


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("text/event-stream", "stream"),
        ("text/event-stream; charset=utf-8", "stream"),
        ("Text/Event-Stream", "stream"),
        ("application/json", "json"),
        ("application/json; charset=utf-8", "json"),
        (" APPLICATION/JSON ", "json"),
        ("application/problem+json", "json"),
        ("text/plain", "other"),
        ("text/html; charset=utf-8", "other"),
        ("application/jsonx", "other"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_a_2xx_answer_is_read_by_its_content_type(content_type: str | None, kind: str) -> None:
    assert answer_kind(content_type) == kind


def test_a_json_answer_is_parsed_strictly_into_an_object() -> None:
    assert json_answer('{"id": "x", "n": 1}') == {"id": "x", "n": 1}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "JSON the relay cannot read"),
        ('{"n": NaN}', "JSON the relay cannot read"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "JSON the relay cannot read"),
        ("[1, 2]", "something other than a JSON object"),
        ('"text"', "something other than a JSON object"),
    ],
)
def test_a_json_answer_the_relay_cannot_pass_on_is_a_502_upstream_malformed(
    text: str, says: str
) -> None:
    with pytest.raises(BackendError) as caught:
        json_answer(text)
    error = caught.value
    assert (error.status, error.type, error.code) == (502, "api_error", "upstream_malformed")
    assert says in error.message


def test_only_a_json_object_passes_as_an_answer() -> None:
    assert json_object({"a": 1}) == {"a": 1}
    with pytest.raises(RelayError):
        json_object(None)


def test_an_answer_neither_json_nor_a_stream_names_its_status_and_content_type() -> None:
    error = unreadable(200, "text/html")
    assert (error.status, error.code) == (502, "upstream_malformed")
    assert error.message == (
        "The model answered 200 with content-type 'text/html', neither JSON nor an event stream."
    )
    assert "'(none)'" in unreadable(200, "").message


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("01J2ZK4WZ8Q0V0Y9", "01J2ZK4WZ8Q0V0Y9"),
        ("HIT", "HIT"),
        ("x" * 128, "x" * 128),
        ("x" * 129, None),
        ("", None),
        (None, None),
        ("a b", None),
        ("a\r\nx-injected: 1", None),
        ("caf\u00e9", None),
    ],
)
def test_only_a_short_printable_gateway_value_is_passed_on(
    value: str | None, kept: str | None
) -> None:
    assert gateway_value(value) == kept


def test_an_error_body_is_cut_and_decoded_whatever_its_bytes() -> None:
    assert error_text(b"x" * (MAX_ERROR_BODY_BYTES + 10)) == "x" * MAX_ERROR_BODY_BYTES
    assert error_text(b"caf\xc3\xa9 \xff") == "caf\u00e9 \ufffd"


@pytest.mark.parametrize(
    ("status", "body", "code", "param"),
    [
        (
            400,
            '{"error": {"message": "Previous response with id \'resp_a\' not found.", '
            '"type": "invalid_request_error", "param": "previous_response_id", '
            '"code": "previous_response_not_found"}}',
            "previous_response_not_found",
            "previous_response_id",
        ),
        (
            400,
            '{"error": {"message": "too long", "code": "context_length_exceeded"}}',
            "context_length_exceeded",
            None,
        ),
        # Free text, numbers and odd params are not codes: the relay's own stands.
        (400, '{"error": {"message": "x", "code": "Not A Code!"}}', "upstream_rejected", None),
        (400, '{"error": {"message": "x", "code": 12345}}', "upstream_rejected", None),
        (422, '{"error": {"message": "x", "code": "bad", "param": "a b"}}', "bad", None),
        # Only a rejection keeps the upstream's code: a 5xx stays the relay's upstream_error.
        (500, '{"error": {"message": "x", "code": "server_busy"}}', "upstream_error", None),
    ],
)
def test_an_openai_rejection_keeps_its_code_and_param(
    status: int, body: str, code: str, param: str | None
) -> None:
    error = upstream_failure(status, body)
    assert (error.code, error.param) == (code, param)
