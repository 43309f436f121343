"""Observability (issue 4, rule 6): request ids, `cf-aig-log-id`, one JSON log line per request."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest

from airelay.core import sse
from airelay.core.auth import key_digest, key_id
from airelay.core.observability import RequestLog, request_id
from airelay.core.types import BackendResult, JsonResult, LogRecord, Request, StreamResult
from airelay.hosts.local import build_app
from tests.client import CoreClient, Result, asgi_http, asgi_request
from tests.fakes import FakeBackend, failing, run

KEY = "sk-observe-key-c0ffee42"
KEY_ID = key_id(key_digest(KEY))
ENV = {"API_KEYS": KEY}
PROMPT = "my secret prompt about pelicans"
CHAT = {"messages": [{"role": "user", "content": PROMPT}]}
USAGE = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
FRESH_ID = re.compile(r"req_[0-9a-f]{32}")


def answer(model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> BackendResult:
    """Answer like the binding: JSON with usage, or a stream; both with a gateway log id."""
    if inputs.get("stream"):
        return StreamResult(chunks(), gateway_log_id="log-stream-1")
    return JsonResult({"object": "chat.completion", "usage": USAGE}, gateway_log_id="log-json-1")


async def chunks() -> AsyncIterator[bytes]:
    """Yield a tiny chat stream."""
    yield sse.encode({"choices": [{"delta": {"content": "hi"}}]})
    yield sse.encode("[DONE]")


def logged(
    request: Request, env: Mapping[str, str] = ENV, backend: FakeBackend | None = None
) -> tuple[Result, list[dict[str, Any]]]:
    """Answer `request` over the binding-like backend; return the answer and its log records."""
    client = CoreClient(env, backend or FakeBackend(answer))
    return client.send(request), client.records


def chat(body: Mapping[str, Any] = CHAT, *headers: tuple[str, str]) -> Request:
    """Return a keyed chat request."""
    return Request(
        "POST",
        "/v1/chat/completions",
        (("authorization", f"Bearer {KEY}"), *headers),
        json.dumps(body).encode(),
    )


# --- request ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("theirs", ["abc", "req_1.2:3-x", "A" * 128, "0f8c2d1e-5b1a-4c1e"])
def test_a_sane_caller_request_id_is_kept(theirs: str) -> None:
    assert request_id(Request("GET", "/", (("x-request-id", theirs),))) == theirs


@pytest.mark.parametrize(
    "theirs", ["", "A" * 129, "two words", "abc\n", "a\r\nset-cookie: x=1", "caf\xe9", "<b>"]
)
def test_an_insane_caller_request_id_is_replaced(theirs: str) -> None:
    assert FRESH_ID.fullmatch(request_id(Request("GET", "/", (("x-request-id", theirs),))))


def test_fresh_request_ids_differ() -> None:
    assert request_id(Request("GET", "/")) != request_id(Request("GET", "/"))


@pytest.mark.parametrize(
    "request_",
    [
        Request("GET", "/health"),
        Request("GET", "/v2/nothing"),
        Request("DELETE", "/v1/responses"),
        Request("GET", "/v1/models"),
        Request("OPTIONS", "/v1/responses", (("origin", "https://a.example"),)),
        chat(),
        chat({**CHAT, "stream": True}),
        chat({"messages": []}),
    ],
    ids=["health", "404", "405", "401", "preflight", "json", "stream", "400"],
)
def test_every_response_carries_a_request_id(request_: Request) -> None:
    response, lines = logged(request_)
    assert FRESH_ID.fullmatch(response.header("x-request-id") or "")
    assert lines[0]["request_id"] == response.header("x-request-id")


def test_a_misconfigured_relay_still_answers_with_a_request_id() -> None:
    response, lines = logged(chat(), env={"MAX_OUTPUT_TOKENS": "nope"})
    assert response.status == 500
    assert response.header("x-request-id")
    assert lines[0]["error_code"] == "misconfigured"


def test_the_callers_request_id_is_echoed_and_logged() -> None:
    response, lines = logged(chat(CHAT, ("x-request-id", "trace-42")))
    assert response.header("x-request-id") == "trace-42"
    assert lines[0]["request_id"] == "trace-42"


# --- cf-aig-log-id --------------------------------------------------------------------------


def test_the_bindings_log_id_is_returned_as_cf_aig_log_id() -> None:
    assert logged(chat())[0].header("cf-aig-log-id") == "log-json-1"
    assert logged(chat({**CHAT, "stream": True}))[0].header("cf-aig-log-id") == "log-stream-1"


def test_no_log_id_means_no_cf_aig_log_id_header() -> None:
    response, _ = logged(chat(), backend=FakeBackend())
    assert response.header("cf-aig-log-id") is None


# --- the log line ---------------------------------------------------------------------------


def test_request_log_renders_one_json_line_without_empty_fields() -> None:
    log = RequestLog("req_1", "GET", "/health", status=200, prompt="line\nbreak")
    line = log.line()
    assert "\n" not in line
    assert json.loads(line) == {
        "event": "request",
        "request_id": "req_1",
        "method": "GET",
        "path": "/health",
        "status": 200,
        "duration_ms": 0.0,
        "stream": False,
        "prompt": "line\nbreak",
    }


def test_one_line_describes_a_non_streamed_answer() -> None:
    response, lines = logged(chat(CHAT, ("x-request-id", "r-1")))
    assert response.status == 200
    [line] = lines
    duration = line.pop("duration_ms")
    assert isinstance(duration, float)
    assert duration >= 0
    assert line == {
        "event": "request",
        "request_id": "r-1",
        "method": "POST",
        "path": "/v1/chat/completions",
        "route": "chat",
        "model": "openai/gpt-5.4-mini",
        "status": 200,
        "stream": False,
        "key_id": KEY_ID,
        "gateway_log_id": "log-json-1",
        "usage": USAGE,
    }


def test_one_line_describes_a_streamed_answer_without_usage() -> None:
    _, [line] = logged(chat({**CHAT, "stream": True}))
    assert line["stream"] is True
    assert line["gateway_log_id"] == "log-stream-1"
    assert line["model"] == "openai/gpt-5.4-mini"
    assert "usage" not in line


def test_one_line_names_the_error_code_of_a_failure() -> None:
    _, [line] = logged(chat({"messages": "nope"}))
    assert line["status"] == 400
    assert line["error_code"] == "invalid_value"
    assert line["route"] == "chat"
    assert line["key_id"] == KEY_ID


def test_an_unexpected_failure_is_logged_as_internal_error_without_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    response, [line] = logged(chat(), backend=failing(RuntimeError("backend bug")))
    assert response.status == 500
    assert response.error["code"] == "internal_error"
    assert "backend bug" not in response.body.decode()
    assert line["error_code"] == "internal_error"
    assert line["status"] == 500
    # The traceback goes to the `airelay` logger, for the operator, not into the answer.
    assert "backend bug" in caplog.text


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/chat/completions", CHAT), ("/v1/responses", {"input": PROMPT, "stream": True})],
)
def test_prompts_stay_out_of_the_log(path: str, body: Mapping[str, Any]) -> None:
    request = Request("POST", path, (("x-api-key", KEY),), json.dumps(body).encode())
    _, lines = logged(request)
    assert PROMPT not in json.dumps(lines)
    assert "prompt" not in lines[0]


def test_log_prompts_adds_the_prompt() -> None:
    _, [line] = logged(chat(), env={**ENV, "LOG_PROMPTS": "true"})
    assert line["prompt"] == CHAT["messages"]
    request = Request("POST", "/v1/responses", (("x-api-key", KEY),), b'{"input": "pelicans"}')
    _, [line] = logged(request, env={**ENV, "LOG_PROMPTS": "true"})
    assert line["prompt"] == "pelicans"


# --- the local host over HTTP ---------------------------------------------------------------


def test_local_host_logs_one_line_per_request_through_its_log() -> None:
    lines: list[str] = []

    async def go() -> list[httpx.Response]:
        headers = {"authorization": f"Bearer {KEY}", "x-request-id": "local-7"}
        async with asgi_http(build_app(ENV, log=lines.append)) as client:
            first = await client.post("/v1/chat/completions", json=CHAT, headers=headers)
            second = await client.post(
                "/v1/responses", json={"input": PROMPT, "stream": True}, headers=headers
            )
            third = await client.get("/v1/models")
            return [first, second, third]

    responses = run(go())
    assert [r.headers["x-request-id"] for r in responses[:2]] == ["local-7", "local-7"]
    assert FRESH_ID.fullmatch(responses[2].headers["x-request-id"])
    records = [json.loads(line) for line in lines]
    assert [(r["route"], r["status"], r["stream"]) for r in records] == [
        ("chat", 200, False),
        ("responses", 200, True),
        ("models", 401, False),
    ]
    assert records[0]["usage"]["total_tokens"] > 0
    assert records[0]["key_id"] == KEY_ID
    assert PROMPT not in "\n".join(lines)


def test_local_host_hands_records_unrendered_to_a_record_sink() -> None:
    records: list[LogRecord] = []
    app = build_app(ENV, log=lambda line: pytest.fail(f"rendered: {line}"), records=records.append)
    headers = {"authorization": f"Bearer {KEY}", "x-request-id": "local-8"}
    response = asgi_request(app, "POST", "/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == 200
    [record] = records
    # The record renders to the very line the other logs write.
    line = json.loads(record.line())
    assert (line["request_id"], line["route"], line["status"]) == ("local-8", "chat", 200)
