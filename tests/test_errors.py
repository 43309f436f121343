"""Error rendering: one shape, OpenAI's `{"error": {message, type, param, code}}`."""

from __future__ import annotations

import json

from airelay.core.errors import BackendError, RelayError, misconfigured


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


def test_an_errors_bytes_and_headers_are_pinned() -> None:
    error = RelayError(
        429,
        'Caf\u00e9 \u2014 "slow"',
        type="rate_limit_error",
        code="rate_limit_exceeded",
        headers=(("retry-after", "7"),),
        log_id="log-1",
    )
    response = error.to_response()
    assert response.body == (
        b'{"error": {"message": "Caf\xc3\xa9 \xe2\x80\x94 \\"slow\\"", '
        b'"type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"}}'
    )
    assert response.headers == [
        ("content-type", "application/json"),
        ("retry-after", "7"),
        ("cf-aig-log-id", "log-1"),
    ]


def test_the_log_id_of_a_failed_model_call_is_its_cf_aig_log_id_header() -> None:
    error = BackendError(502, "x", type="api_error", code="upstream_error", log_id="log-9")
    assert error.headers == ()
    assert error.to_response().header("cf-aig-log-id") == "log-9"
    assert RelayError(502, "x").to_response().header("cf-aig-log-id") is None


def test_a_clone_keeps_every_field_the_answer_shows() -> None:
    error = RelayError(429, "x", code="c", param="p", headers=(("retry-after", "1"),), log_id="l")
    copy = error.clone()
    assert copy is not error
    assert copy.to_response() == error.to_response()


def test_misconfigured_is_a_500_naming_what_to_fix() -> None:
    error = misconfigured("set API_KEYS")
    assert (error.status, error.type, error.code) == (500, "server_error", "misconfigured")
    assert error.message == "The relay is misconfigured: set API_KEYS."
