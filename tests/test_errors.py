"""Error rendering: one shape, OpenAI's `{"error": {message, type, param, code}}`."""

from __future__ import annotations

import json

import pytest

from airelay.core.errors import BackendError, RelayError, upstream_error, upstream_status


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
