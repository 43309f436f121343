"""Tier 2: what `env.AI.run` answers becomes the core's result or the relay's OpenAI-shaped error
(hosts/worker/answers.py): JSON as data with its bytes kept, a stream untouched, AI Gateway's
facts from each call's own Response, upstream failures and thrown errors mapped."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.pyodide.runner_client import PyodideRunner
from tests.pyodide.snippets import run

pytestmark = pytest.mark.pyodide


def test_json_answer_to_a_stream_request_comes_back_as_data(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        env.AI.answerJson('{"object": "response", "status": "completed"}')
        result = await AiBinding(env.AI).run("m", {"input": "x", "stream": True}, {})
        [type(result).__name__, result.data]
        """,
    )
    assert got == ["JsonResult", {"object": "response", "status": "completed"}]


def test_json_result_comes_back_as_python_data(pyodide: PyodideRunner) -> None:
    answer = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Grüße 👋", "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        "service_tier": None,
        "score": 0.25,
        "flags": [True, False, None],
    }
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        env.AI.answerJson({json.dumps(answer)!r})
        result = await AiBinding(env.AI).run("m", {{"messages": []}}, {{}})

        def kinds(value):
            if isinstance(value, dict):
                return {{"dict"}}.union(*(kinds(v) for v in value.values()))
            if isinstance(value, list):
                return {{"list"}}.union(*(kinds(v) for v in value))
            return {{type(value).__name__}}

        [type(result).__name__, result.data, sorted(kinds(result.data)), json.dumps(result.data)]
        """,
    )
    assert got[0] == "JsonResult"
    assert got[1] == answer
    assert got[2] == ["NoneType", "bool", "dict", "float", "int", "list", "str"]
    assert json.loads(got[3]) == answer


def test_json_answer_bytes_go_on_byte_for_byte(pyodide: PyodideRunner) -> None:
    # Spacing, key order, escapes and number spellings that re-encoding `data` would change.
    answer = (
        '{ "id" : "chatcmpl-1", "choices":[{"message":{"content":"Gr\\u00fc\\u00dfe 👋 \\"q\\"",'
        '"role":"assistant"}}], "score": 1.0E0, "big": 12345678901234567890,\n'
        '"usage": {"total_tokens": 5}, "nothing": null }'
    )
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        env.AI.answerJson({answer!r}, "log-1")
        result = await AiBinding(env.AI).run("m", {{"messages": []}}, {{}})
        response = to_workers_response(
            Response(200, [("content-type", "application/json")], result.body)
        )
        [type(result).__name__, b64(result.body), result.data["usage"], result.gateway_log_id,
         await response_json(response)]
        """,
    )
    kind, body, usage, log_id, response = got
    assert kind == "JsonResult"
    assert base64.b64decode(body) == answer.encode()
    assert usage == {"total_tokens": 5}
    assert log_id == "log-1"
    assert base64.b64decode(response["body"]) == answer.encode()
    assert response["headers"] == [["content-type", "application/json"]]


def test_gateway_facts_come_from_each_calls_own_response(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        ai = AiBinding(env.AI)
        env.AI.answerJson('{"ok": true}', "log-json-1", "HIT")
        first = await ai.run("m", {}, {})
        env.AI.answerStream("data: [DONE]\\n\\n", 4, "log-stream-2", "MISS")
        second = await ai.run("m", {"stream": True}, {})
        env.AI.answerJson('{"ok": true}')
        third = await ai.run("m", {}, {})
        [[r.gateway_log_id, r.cache_status] for r in (first, second, third)]
        """,
    )
    assert got == [["log-json-1", "HIT"], ["log-stream-2", "MISS"], [None, None]]


def test_json_content_type_with_parameters_is_read_as_json(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        ai = AiBinding(env.AI)
        results = []
        for content_type in ("application/json; charset=utf-8", "Application/JSON",
                             "application/problem+json"):
            env.AI.answer(json.dumps({"contentType": content_type, "body": '{"ok": "Grüße"}'}))
            result = await ai.run("m", {}, {})
            results.append([type(result).__name__, result.data])
        results
        """,
    )
    assert got == [["JsonResult", {"ok": "Grüße"}]] * 3


BAD_2XX = [
    # (id, content-type, body, message fragment)
    ("html-page", "text/html", "<html>oops</html>", "'text/html'"),
    ("no-content-type", None, '{"ok": true}', "(none)"),
    ("plain-text", "text/plain; charset=utf-8", "fine", "'text/plain; charset=utf-8'"),
    ("json-array", "application/json", "[1, 2]", "other than a JSON object"),
    ("broken-json", "application/json", '{"a": ', "cannot read"),
    ("nan", "application/json", '{"a": NaN}', "cannot read"),
    ("huge-number", "application/json", '{"a": 1e999}', "cannot read"),
    ("too-deep", "application/json", '{"a": ' + "[" * 600 + "]" * 600 + "}", "cannot read"),
    ("empty-json", "application/json", "", "cannot read"),
]


@pytest.mark.parametrize(
    ("content_type", "body", "fragment"),
    [case[1:] for case in BAD_2XX],
    ids=[case[0] for case in BAD_2XX],
)
def test_a_2xx_that_is_neither_json_nor_a_stream_is_a_502(
    pyodide: PyodideRunner, content_type: str | None, body: str, fragment: str
) -> None:
    spec = {"body": body, "logId": "log-9"}
    if content_type is not None:
        spec["contentType"] = content_type
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        env.AI.answer({json.dumps(spec)!r})
        response = await response_json(
            await serve(make_request(body=b"{{}}"), env, FakeCore())
        )
        [response, env.AI.lastBodyState]
        """,
    )
    response, body_state = got
    assert response["status"] == 502
    assert dict(response["headers"])["cf-aig-log-id"] == "log-9"
    error = json.loads(base64.b64decode(response["body"]))["error"]
    assert error["code"] == "upstream_malformed"
    assert error["type"] == "api_error"
    assert fragment in error["message"]
    # The upstream body was read or cancelled, not left holding the subrequest open.
    assert body_state in ("read", "cancelled")


def test_depth_check_refuses_what_would_overflow_pyodides_parser(pyodide: PyodideRunner) -> None:
    # json.loads in Pyodide kills the runtime near 8,000 levels instead of raising
    # RecursionError; the core's pre-parse check must run (and refuse) in Pyodide too.
    got = run(
        pyodide,
        """
        from airelay.core import jsonio
        outcomes = []
        for text in ["[" * 100_000, "[" * 65 + "]" * 65]:
            try:
                jsonio.loads(text)
                outcomes.append("passed")
            except jsonio.JsonError as error:
                outcomes.append("too_deep" if error.too_deep else "invalid")
        outcomes.append(len(str(jsonio.loads("[" * 64 + "]" * 64))))
        outcomes
        """,
    )
    assert got == ["too_deep", "too_deep", 128]


OPENAI_429 = {
    "error": {
        "message": "Rate limit reached for gpt-5.4-mini.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
}


def failure(
    status: int,
    body: str,
    relayed: int,
    code: str,
    fragment: str,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    retry_after: str | None = None,
    id: str,
) -> Any:
    """One upstream failure case: what the upstream answers, what the caller gets."""
    upstream = (status, body, content_type, headers or {})
    return pytest.param(*upstream, relayed, code, fragment, retry_after, id=id)


UPSTREAM_FAILURES = [
    failure(
        500,
        '{"internalCode": 3040, "description": "No more data centers", "name": "AiError"}',
        429,
        "rate_limit_exceeded",
        "No more data centers",
        retry_after="1",
        id="workers-ai-internal-code",
    ),
    failure(
        400,
        '{"internalCode": 5007, "description": "No such model", "name": "AiError"}',
        400,
        "upstream_rejected",
        "No such model",
        id="workers-ai-no-such-model",
    ),
    failure(
        504,
        '{"success": false, "errors": [{"code": 3007, "message": "Request timeout"}]}',
        504,
        "upstream_timeout",
        "Request timeout",
        id="cloudflare-errors-list",
    ),
    failure(
        401,
        '{"success": false, "result": [], "error": [{"code": 2009, "message": "Unauthorized"}]}',
        502,
        "upstream_error",
        "Unauthorized",
        id="gateway-error-list",
    ),
    failure(
        429,
        json.dumps(OPENAI_429),
        429,
        "rate_limit_exceeded",
        "Rate limit reached for gpt-5.4-mini.",
        content_type="application/json; charset=utf-8",
        headers={"retry-after": "17"},
        retry_after="17",
        id="openai-error-object",
    ),
    failure(
        400,
        '{"error": {"message": "Context too long.", "type": "invalid_request_error",'
        ' "param": "messages", "code": "context_length_exceeded"}}',
        400,
        # OpenAI's own word code goes on: SDK callers branch on it (core/upstream.py).
        "context_length_exceeded",
        "Context too long.",
        id="openai-context-too-long",
    ),
    failure(
        502,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        502,
        "upstream_error",
        "502 Bad Gateway",
        content_type="text/html",
        id="html-error-page",
    ),
    failure(
        503,
        "upstream connect error",
        502,
        "upstream_error",
        "upstream connect error",
        content_type="text/plain",
        id="plain-text",
    ),
    failure(500, "", 502, "upstream_error", "(no details)", content_type="", id="empty-body"),
    failure(
        400,
        '{"success": false, "error": [{"code": 2016,'
        ' "message": "Prompt blocked due to security configurations"}]}',
        400,
        "content_blocked",
        "Guardrails blocked the prompt (2016)",
        id="guardrail-prompt",
    ),
    failure(
        424,
        '{"errors": [{"code": 2017,'
        ' "message": "Response blocked due to security configurations"}]}',
        400,
        "content_blocked",
        "Guardrails blocked the model's response (2017)",
        id="guardrail-response",
    ),
    failure(
        400,
        '{"internalCode": 2029, "description": "Prompt blocked by DLP policy"}',
        400,
        "content_blocked",
        "Data Loss Prevention blocked the prompt (2029)",
        id="dlp-prompt",
    ),
    failure(
        400,
        '{"error": [{"code": "2030", "message": "Response blocked by DLP policy"}]}',
        400,
        "content_blocked",
        "Data Loss Prevention blocked the model's response (2030)",
        id="dlp-response",
    ),
    failure(
        429,
        "slow down",
        429,
        "rate_limit_exceeded",
        "slow down",
        content_type="text/plain",
        headers={"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"},
        retry_after="1",
        id="429-date-retry-after",
    ),
    failure(
        429,
        "slow down",
        429,
        "rate_limit_exceeded",
        "slow down",
        content_type="text/plain",
        headers={"retry-after": "99999999"},
        retry_after="3600",
        id="429-huge-retry-after",
    ),
]


@pytest.mark.parametrize(
    ("status", "body", "content_type", "headers", "relayed", "code", "fragment", "retry_after"),
    UPSTREAM_FAILURES,
)
def test_upstream_error_response_becomes_openai_error(
    pyodide: PyodideRunner,
    status: int,
    body: str,
    content_type: str,
    headers: dict[str, str],
    relayed: int,
    code: str,
    fragment: str,
    retry_after: str | None,
) -> None:
    sent_headers = json.dumps({**headers, "cf-aig-log-id": "log-e"})
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        env.AI.answerStatus({status}, {body!r}, {content_type!r}, {sent_headers!r})
        response = await serve(make_request(body=b"{{}}"), env, FakeCore())
        await response_json(response)
        """,
    )
    assert got["status"] == relayed
    sent = dict(got["headers"])
    assert sent["content-type"] == "application/json"
    assert sent.get("retry-after") == retry_after
    # The gateway logged the failed call too: its id goes to the caller.
    assert sent["cf-aig-log-id"] == "log-e"
    error = json.loads(base64.b64decode(got["body"]))["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == code
    # Only OpenAI's own rejection names a field: the one the upstream named.
    assert error["param"] == ("messages" if code == "context_length_exceeded" else None)
    kinds = {400: "invalid_request_error", 429: "requests"}
    assert error["type"] == kinds.get(relayed, "api_error")
    assert fragment in error["message"]


THROWN = [
    # (id, thrown class, thrown name, message, status, code, in message)
    ("network", "TypeError", None, "Network connection lost.", 502, "upstream_error",
     "TypeError: Network connection lost."),
    ("ai-internal-error", "AiInternalError", None, "Content-Type is required", 502,
     "upstream_error", "AiInternalError: Content-Type is required"),
    ("timeout", "Error", "TimeoutError", "the operation timed out", 504, "upstream_timeout",
     "the operation timed out"),
    ("coded-message", "InferenceUpstreamError", None, "3040: No more data centers", 429,
     "rate_limit_exceeded", "No more data centers"),
    ("coded-status-saying-timeout", "InferenceUpstreamError", None, "400: bad timeout", 400,
     "upstream_rejected", "bad timeout"),
    ("coded-guardrail", "InferenceUpstreamError", None, "2016: Prompt blocked", 400,
     "content_blocked", "Prompt blocked"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("throw_class", "throw_name", "message", "status", "code", "fragment"),
    [case[1:] for case in THROWN],
    ids=[case[0] for case in THROWN],
)
def test_an_error_thrown_by_the_binding_maps_as_before(
    pyodide: PyodideRunner,
    throw_class: str,
    throw_name: str | None,
    message: str,
    status: int,
    code: str,
    fragment: str,
) -> None:
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        env.AI.answerThrow({throw_class!r}, {message!r}, {throw_name!r})
        response = await serve(make_request(body=b"{{}}"), env, FakeCore())
        await response_json(response)
        """,
    )
    assert got["status"] == status
    error = json.loads(base64.b64decode(got["body"]))["error"]
    assert error["code"] == code
    assert fragment in error["message"]
