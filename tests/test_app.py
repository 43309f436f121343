"""The core's `handle`, with a fake backend recording exactly what the binding would receive."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airelay.core.catalog import MINI, PRO
from airelay.core.errors import BackendError
from airelay.core.types import (
    BackendResult,
    BodyError,
    JsonResult,
    Request,
    StreamResult,
)
from airelay.core.upstream import upstream_error
from tests.client import ANYONE, CoreClient
from tests.conftest import load_examples
from tests.fakes import FakeBackend, answering, failing

CHAT_PATH, RESPONSES_PATH = "/v1/chat/completions", "/v1/responses"
HELLO = {"messages": [{"role": "user", "content": "Hello"}]}


# --- the model cards' examples reach the backend exactly as sent ------------------------------


@pytest.mark.parametrize("example", load_examples("gpt-5.4-mini"), ids=lambda e: e["name"])
def test_each_chat_example_reaches_the_binding_as_sent(example: dict[str, Any]) -> None:
    backend = FakeBackend()
    response = CoreClient(backend=backend).post(CHAT_PATH, json=example["request"])
    assert response.status == 200
    assert backend.call.model == MINI.binding_id
    assert backend.call.inputs == example["request"]
    # The card's `{"gateway": {"id": "default"}}` plus the relay's documented metadata.
    assert backend.call.options == {
        "gateway": {"id": "default", "metadata": {"route": "chat", "key_id": "anonymous"}}
    }


@pytest.mark.parametrize("example", load_examples("gpt-5.4-pro"), ids=lambda e: e["name"])
def test_each_responses_example_reaches_the_binding_as_sent(example: dict[str, Any]) -> None:
    backend = FakeBackend()
    response = CoreClient(backend=backend).post(RESPONSES_PATH, json=example["request"])
    assert response.status == 200
    # The body's `model` becomes the binding's first argument; the rest goes on unchanged.
    assert backend.call.model == example["request"]["model"] == PRO.binding_id
    assert backend.call.inputs == {k: v for k, v in example["request"].items() if k != "model"}
    assert backend.call.options == {
        "gateway": {"id": "default", "metadata": {"route": "responses", "key_id": "anonymous"}}
    }


def test_values_are_passed_as_parsed_not_as_validated() -> None:
    # 1.0 stays a float, key order and unicode stay as sent: validation only decides.
    body = {
        "top_p": 1.0,
        "messages": [{"content": "caf\u00e9 \U0001f600", "role": "user"}],
        "max_tokens": 5,
    }
    backend = FakeBackend()
    CoreClient(backend=backend).post(CHAT_PATH, json=body)
    inputs = backend.call.inputs
    assert inputs == body
    assert list(inputs) == list(body)
    assert isinstance(inputs["top_p"], float)
    assert list(inputs["messages"][0]) == ["content", "role"]


@pytest.mark.parametrize("name", [MINI.short_id, MINI.binding_id])
def test_either_name_of_the_routes_model_is_accepted_and_stripped(name: str) -> None:
    backend = FakeBackend()
    assert CoreClient(backend=backend).post(CHAT_PATH, json={**HELLO, "model": name}).status == 200
    assert backend.call.model == MINI.binding_id
    assert "model" not in backend.call.inputs


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        (CHAT_PATH, {**HELLO, "model": "gpt-5.4-pro"}, "gpt-5.4-pro"),
        (RESPONSES_PATH, {"input": "hi", "model": "openai/gpt-5.4-mini"}, "openai/gpt-5.4-mini"),
        (CHAT_PATH, {**HELLO, "model": "gpt-4o"}, "gpt-4o"),
    ],
)
def test_a_model_the_route_does_not_serve_is_404_and_never_called(
    path: str, body: dict[str, Any], name: str
) -> None:
    backend = FakeBackend()
    response = CoreClient(backend=backend).post(path, json=body)
    assert response.status == 404
    error = response.error
    assert (error["code"], error["param"]) == ("model_not_found", "model")
    assert f"'{name}'" in error["message"]
    assert backend.calls == []


# --- gateway options from settings ------------------------------------------------------------


def test_gateway_settings_reach_the_binding() -> None:
    backend = FakeBackend()
    env = {"AI_GATEWAY_ID": "relay", "AI_GATEWAY_CACHE_TTL": "300", "AI_GATEWAY_MAX_ATTEMPTS": "2"}
    CoreClient({**ANYONE, **env}, backend).post(CHAT_PATH, json=HELLO)
    gateway = backend.call.options["gateway"]
    assert gateway["id"] == "relay"
    assert gateway["cacheTtl"] == 300
    assert gateway["retries"] == {"maxAttempts": 2}


def test_a_bad_setting_is_a_500_naming_the_variable_and_the_binding_is_not_called() -> None:
    backend = FakeBackend()
    response = CoreClient({**ANYONE, "AI_GATEWAY_MAX_ATTEMPTS": "ten"}, backend).post(
        CHAT_PATH, json=HELLO
    )
    assert response.status == 500
    error = response.error
    assert (error["type"], error["code"]) == ("server_error", "misconfigured")
    assert "AI_GATEWAY_MAX_ATTEMPTS" in error["message"]
    assert backend.calls == []


# --- what the backend answers -----------------------------------------------------------------


@pytest.mark.parametrize("path", [CHAT_PATH, RESPONSES_PATH])
def test_a_stream_passes_through_the_core_untouched(path: str) -> None:
    stream = object()  # opaque: on the Worker, a JS ReadableStream the core must not touch
    body = {**HELLO, "stream": True} if path == CHAT_PATH else {"input": "hi", "stream": True}
    response = CoreClient(backend=answering(StreamResult(stream))).post(path, json=body)
    assert response.stream is stream
    assert response.status == 200
    assert response.body == b""
    assert response.header("content-type") == "text/event-stream; charset=utf-8"
    assert response.header("cache-control") == "no-cache"
    assert response.header("content-length") is None


def test_a_json_answer_is_sent_as_json() -> None:
    data = {"id": "chatcmpl-1", "object": "chat.completion", "note": "caf\u00e9"}
    response = CoreClient(backend=answering(JsonResult(data))).post(CHAT_PATH, json=HELLO)
    assert response.status == 200
    assert response.header("content-type") == "application/json"
    assert response.json() == data
    assert response.stream is None


def test_a_json_answer_with_its_bytes_is_sent_byte_for_byte() -> None:
    # Spacing and key order are the upstream's: the relay does not encode the answer again.
    raw = b'{ "object": "chat.completion",  "usage": {"total_tokens": 3}, "id": "c-1" }'
    result = JsonResult(json.loads(raw), body=raw)
    response = CoreClient(backend=answering(result)).post(CHAT_PATH, json=HELLO)
    assert response.status == 200
    assert response.header("content-type") == "application/json"
    assert response.body == raw


@pytest.mark.parametrize(
    "result", [JsonResult({"ok": 1}, "log-1"), StreamResult(object(), "log-1")]
)
def test_the_gateway_log_id_is_returned_as_cf_aig_log_id(result: BackendResult) -> None:
    response = CoreClient(backend=answering(result)).post(CHAT_PATH, json=HELLO)
    assert response.header("cf-aig-log-id") == "log-1"


def test_no_log_id_no_header() -> None:
    response = CoreClient(backend=answering(JsonResult({"ok": 1}))).post(CHAT_PATH, json=HELLO)
    assert response.header("cf-aig-log-id") is None


@pytest.mark.parametrize("data", [[1, 2], "text", None, 3])
def test_a_json_answer_that_is_not_an_object_is_a_502(data: Any) -> None:
    response = CoreClient(backend=answering(JsonResult(data))).post(CHAT_PATH, json=HELLO)
    assert response.status == 502
    assert response.error["code"] == "upstream_malformed"


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (upstream_error(429, "busy"), 429, "rate_limit_exceeded"),
        (upstream_error(504, "slow"), 504, "upstream_timeout"),
        (upstream_error(500, "broken"), 502, "upstream_error"),
        (
            BackendError(502, "No such model", type="api_error", code="upstream_error"),
            502,
            "upstream_error",
        ),
    ],
)
def test_a_backend_error_is_rendered_as_openais_error(
    exc: BackendError, status: int, code: str
) -> None:
    response = CoreClient(backend=failing(exc)).post(RESPONSES_PATH, json={"input": "hi"})
    assert response.status == status
    assert response.error["code"] == code
    assert response.error["message"] == exc.message
    for name, value in exc.headers:
        assert response.header(name) == value


def test_an_unexpected_backend_failure_is_a_500_that_reveals_nothing() -> None:
    response = CoreClient(backend=failing(RuntimeError("secret internals"))).post(
        CHAT_PATH, json=HELLO
    )
    assert response.status == 500
    error = response.error
    assert (error["type"], error["code"]) == ("server_error", "internal_error")
    assert "secret" not in response.body.decode()


# --- requests that never reach the backend -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"{not json", (("content-type", "application/json"),), 400, "invalid_json"),
        (b"[]", (("content-type", "application/json"),), 400, "invalid_json"),
        (b"{}", (("content-type", "text/plain"),), 415, "unsupported_media_type"),
        (json.dumps({**HELLO, "temperature": 3}).encode(), (), 400, "invalid_value"),
        (json.dumps({**HELLO, "foo": 1}).encode(), (), 400, "unknown_parameter"),
        (json.dumps({"input": "x"}).encode(), (), 400, "missing_required_parameter"),
    ],
)
def test_a_bad_request_is_answered_without_calling_the_binding(
    body: bytes, headers: tuple[tuple[str, str], ...], status: int, code: str
) -> None:
    backend = FakeBackend()
    response = CoreClient(backend=backend).post(CHAT_PATH, content=body, headers=headers)
    assert response.status == status
    assert response.error["code"] == code
    assert backend.calls == []


def test_an_unknown_field_is_a_400_naming_it() -> None:
    response = CoreClient().post(RESPONSES_PATH, json={"input": "hi", "foo": 1})
    assert response.status == 400
    assert response.error == {
        "message": "Unrecognized request argument supplied: foo",
        "type": "invalid_request_error",
        "param": "foo",
        "code": "unknown_parameter",
    }


# --- routing through the core ------------------------------------------------------------------


def test_the_model_list_names_both_models() -> None:
    response = CoreClient().get("/v1/models")
    assert response.status == 200
    data = response.json()
    assert data["object"] == "list"
    assert [m["id"] for m in data["data"]] == [MINI.binding_id, PRO.binding_id]
    assert all(m["object"] == "model" and m["owned_by"] == "openai" for m in data["data"])


@pytest.mark.parametrize(
    ("name", "binding_id"),
    [(MINI.short_id, MINI.binding_id), (PRO.binding_id, PRO.binding_id)],
)
def test_a_model_is_found_by_either_name(name: str, binding_id: str) -> None:
    response = CoreClient().get(f"/v1/models/{name}")
    assert response.status == 200
    assert response.json()["id"] == binding_id


def test_an_unknown_model_is_404() -> None:
    response = CoreClient().get("/v1/models/gpt-4o")
    assert response.status == 404
    assert response.error["code"] == "model_not_found"


def test_an_unknown_path_is_404_and_a_wrong_method_405() -> None:
    assert CoreClient().get("/v2/things").error["code"] == "not_found"
    wrong = CoreClient().get(CHAT_PATH)
    assert wrong.status == 405
    assert wrong.header("allow") == "POST, OPTIONS"


def test_health_answers_without_a_backend_call() -> None:
    backend = FakeBackend()
    response = CoreClient(backend=backend).get("/health")
    assert response.status == 200
    assert response.json()["status"] == "ok"
    assert backend.calls == []


def test_head_is_answered_as_get_for_the_host_to_drop_the_body() -> None:
    # The host sends a HEAD's headers, content-length included, but no body.
    head, get = CoreClient().request("HEAD", "/health"), CoreClient().get("/health")
    assert head.status == get.status == 200
    assert head.body == get.body
    assert head.header("content-type") == "application/json"


def test_every_answer_carries_a_request_id_and_echoes_a_sane_one() -> None:
    assert (CoreClient().get("/health").header("x-request-id") or "").startswith("req_")
    echoed = CoreClient().get("/health", headers=(("x-request-id", "abc-123"),))
    assert echoed.header("x-request-id") == "abc-123"


# --- the one documented addition: the operator's output cap ------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        (CHAT_PATH, HELLO, "max_completion_tokens"),
        (CHAT_PATH, {**HELLO, "temperature": 1}, "max_completion_tokens"),
        (RESPONSES_PATH, {"input": "hi"}, "max_output_tokens"),
    ],
)
def test_max_output_tokens_is_added_when_the_caller_set_no_limit(
    path: str, body: dict[str, Any], name: str
) -> None:
    backend = FakeBackend()
    CoreClient({**ANYONE, "MAX_OUTPUT_TOKENS": "100"}, backend).post(path, json=body)
    assert backend.call.inputs == {**body, name: 100}


def test_a_callers_limit_within_the_cap_is_passed_as_sent() -> None:
    backend = FakeBackend()
    body = {**HELLO, "max_tokens": 50}
    CoreClient({**ANYONE, "MAX_OUTPUT_TOKENS": "100"}, backend).post(CHAT_PATH, json=body)
    assert backend.call.inputs == body


def test_a_callers_limit_over_the_cap_is_a_400_naming_it() -> None:
    backend = FakeBackend()
    body = {"input": "hi", "max_output_tokens": 101}
    response = CoreClient({**ANYONE, "MAX_OUTPUT_TOKENS": "100"}, backend).post(
        RESPONSES_PATH, json=body
    )
    assert response.status == 400
    assert response.error["param"] == "max_output_tokens"
    assert backend.calls == []


def test_model_lookup_accepts_a_url_encoded_full_id() -> None:
    response = CoreClient().get("/v1/models/openai%2Fgpt-5.4-pro")
    assert response.status == 200
    assert response.json()["id"] == "openai/gpt-5.4-pro"


@pytest.mark.parametrize("path", ["/health", "/openapi.json"])
def test_public_routes_answer_while_a_variable_is_bad(path: str) -> None:
    response = CoreClient({**ANYONE, "AI_GATEWAY_CACHE_TTL": "5"}).get(path)
    assert response.status == 200
    assert CoreClient({**ANYONE, "AI_GATEWAY_CACHE_TTL": "5"}).get("/v1/models").error["code"] == (
        "misconfigured"
    )


def test_the_other_routes_model_is_404_pointing_at_its_route() -> None:
    response = CoreClient().post(RESPONSES_PATH, json={"model": "gpt-5.4-mini", "input": "x"})
    error = response.error
    assert (response.status, error["code"], error["param"]) == (404, "model_not_found", "model")
    assert "not served on this route" in error["message"]
    assert "/v1/chat/completions" in error["message"]


def test_a_server_error_log_line_says_what_is_wrong() -> None:
    client = CoreClient({"RATE_LIMIT_PERIOD": "30"})
    response = client.get("/v1/models")
    assert response.status == 500
    record = client.records[-1]
    assert record["error_code"] == "misconfigured"
    assert "RATE_LIMIT_PERIOD" in record["error"]


@pytest.mark.parametrize(
    ("path", "body"),
    [(CHAT_PATH, {**HELLO, "stream": True}), (RESPONSES_PATH, {"input": "x", "stream": True})],
)
def test_a_json_answer_to_a_stream_request_is_returned_as_json(
    path: str, body: dict[str, Any]
) -> None:
    # Some models answer JSON even when a stream was asked (ARCHITECTURE.md): pass it on.
    answer = {"object": "chat.completion", "choices": []}
    response = CoreClient(backend=answering(JsonResult(answer))).post(path, json=body)
    assert response.status == 200
    assert response.header("content-type") == "application/json"
    assert response.stream is None
    assert response.json() == answer


def test_a_body_the_host_could_not_read_is_a_400_with_the_usual_headers() -> None:
    async def unreadable(limit: int) -> bytes:
        raise BodyError("body used")

    request = Request("POST", CHAT_PATH, (("content-type", "application/json"),), reader=unreadable)
    response = CoreClient().send(request)
    assert (response.status, response.error["code"]) == (400, "bad_body")
    assert response.header("x-request-id")
