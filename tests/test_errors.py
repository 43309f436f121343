"""Error rendering: one shape, OpenAI's `{"error": {message, type, param, code}}`."""

from __future__ import annotations

import json

import pytest

from airelay.core.errors import (
    CONTENT_BLOCKED_CODES,
    MAX_DESCRIPTION_CHARS,
    MAX_RETRY_AFTER_S,
    BackendError,
    RelayError,
    coded_error,
    content_blocked,
    error_details,
    retry_after,
    upstream_error,
    upstream_failure,
    upstream_status,
)


def test_an_error_renders_as_openais_error_object() -> None:
    error = RelayError(400, "Bad thing.", param="temperature", code="invalid_value")
    response = error.to_response()
    assert response.status == 400
    assert response.header("content-type") == "application/json"
    assert response.stream is None
    assert json.loads(response.body) == {
        "error": {
            "message": "Bad thing.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "invalid_value",
        }
    }


def test_param_and_code_are_null_when_not_given() -> None:
    body = json.loads(RelayError(404, "Nope.").to_response().body)
    assert body["error"]["param"] is None
    assert body["error"]["code"] is None


def test_extra_headers_are_sent_with_the_error() -> None:
    error = RelayError(405, "No.", headers=(("allow", "POST"),))
    response = error.to_response()
    assert response.header("Allow") == "POST"
    assert response.header("content-type") == "application/json"


def test_the_message_is_utf8_json_not_ascii_escapes() -> None:
    response = RelayError(400, "Caf\u00e9 \u2014 \u201cquoted\u201d").to_response()
    assert "Caf\u00e9 \u2014 \u201cquoted\u201d".encode() in response.body
    assert json.loads(response.body)["error"]["message"] == "Caf\u00e9 \u2014 \u201cquoted\u201d"


def test_the_exception_message_is_the_callers_message() -> None:
    assert str(RelayError(500, "Broken.", type="server_error")) == "Broken."


def test_a_backend_error_is_a_relay_error() -> None:
    assert isinstance(BackendError(502, "x"), RelayError)


@pytest.mark.parametrize(
    ("status", "relayed", "kind", "code"),
    [
        (408, 504, "api_error", "upstream_timeout"),
        (504, 504, "api_error", "upstream_timeout"),
        (524, 504, "api_error", "upstream_timeout"),
        (429, 429, "rate_limit_error", "rate_limit_exceeded"),
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
