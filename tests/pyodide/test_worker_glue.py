"""Tier 2: the Worker glue (`airelay.hosts.worker`, `src/entry.py`) in real Pyodide under Node
(314.0.7, Python 3.14, and 0.28.3, Python 3.13: every test runs on both), with the real
workers-runtime-sdk wheel and JS stand-ins for `env.AI` and `env.RATE_LIMITER` that behave
like workerd's (tests/pyodide/stand_ins.mjs).

Each test sends a snippet to the session's Pyodide (see conftest.py); the snippet's last
expression comes back as JSON. The stand-ins are in stand_ins.mjs, the snippets' helpers
(FakeCore, make_request, response_json, calls) in harness.py.
"""

from __future__ import annotations

import base64
import json
import textwrap
import tomllib
from typing import Any

import pytest

from tests.pyodide.runner_client import (
    DEFAULT_PYODIDE,
    PYODIDE_RUNTIMES,
    ROOT,
    PyodideRunner,
    pinned_npm_version,
    pinned_sdk_version,
)

pytestmark = pytest.mark.pyodide

PRELUDE = """
import json
import stand_ins
from harness import FakeCore, b64, calls, make_request, request_json, response_json
from airelay.hosts import worker
from airelay.hosts.worker.binding import AiBinding
from airelay.hosts.worker.env import EnvVars
from airelay.hosts.worker.request import to_core_request
from airelay.hosts.worker.response import to_workers_response
from airelay.core.types import JsonResult, Response, StreamResult
"""

CHAT_INPUTS: dict[str, Any] = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Grüße, 世界 👋"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,iVBO", "detail": "low"},
                },
            ],
        },
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": '{"a":1}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "42"},
    ],
    "temperature": 0.5,
    "max_completion_tokens": 64,
    "stream": True,
    "stream_options": {"include_usage": True},
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "f",
                "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}},
            },
        }
    ],
    "response_format": {"type": "json_object"},
}

GATEWAY_OPTIONS: dict[str, Any] = {
    "gateway": {
        "id": "my-gateway",
        "skipCache": True,
        "cacheTtl": 3600,
        "cacheKey": "k-1",
        "metadata": {"user": "u1", "n": 3, "beta": False},
        "collectLog": False,
        "eventId": "evt-1",
        "requestTimeoutMs": 30000,
        "retries": {"maxAttempts": 3, "retryDelayMs": 500, "backoff": "exponential"},
    }
}

SSE_TEXT = (
    'data: {"choices":[{"delta":{"content":"Grüße — 世界 👋"}}]}\n\n'
    'data: {"choices":[],"usage":{"total_tokens":7}}\n\n'
    "data: [DONE]\n\n"
)


def run(pyodide: PyodideRunner, code: str) -> Any:
    """Run `code` after the common imports."""
    return pyodide.run(PRELUDE + textwrap.dedent(code))


def test_runtime_is_a_pinned_pyodide_with_the_pinned_sdk(pyodide: PyodideRunner) -> None:
    version = pyodide.info["pyodide"]
    python = PYODIDE_RUNTIMES[version]
    assert pyodide.info["python"].startswith(f"{python}.")
    found = pyodide.run(
        """
        import importlib.metadata, workers
        [importlib.metadata.version("workers-runtime-sdk"), workers.__file__]
        """
    )
    assert found == [pinned_sdk_version(), f"/lib/python{python}/site-packages/workers/__init__.py"]


def test_package_json_pins_both_python_workers_runtimes() -> None:
    # 314.0.7 is what Workers dated from 2026-09-08 run (wrangler.toml's date); 0.28.3 what
    # older dates run. The tier runs on both.
    assert {pinned_npm_version("pyodide"), pinned_npm_version("pyodide-314")} == set(
        PYODIDE_RUNTIMES
    )
    assert PYODIDE_RUNTIMES[DEFAULT_PYODIDE] == "3.14"


def test_wrangler_date_selects_python_3_14() -> None:
    # pywrangler (workers-py 1.17.9, pywrangler/metadata.py) picks Python 3.14 from
    # compatibility date 2026-09-08 on, and with it Pyodide 314.0.7 (utils.py).
    config = tomllib.loads((ROOT / "wrangler.toml").read_text())
    assert str(config["compatibility_date"]) >= "2026-09-08"
    assert "python_workers" in config["compatibility_flags"]


def test_glue_imports_without_pydantic(pyodide: PyodideRunner) -> None:
    loaded = pyodide.run(
        """
        import sys
        import airelay.hosts.worker
        try:
            import pydantic
            pydantic_here = True
        except ModuleNotFoundError:
            pydantic_here = False
        roots = ("airelay", "pydantic")
        [pydantic_here, sorted(m for m in sys.modules if m.split(".")[0] in roots)]
        """
    )
    pydantic_here, modules = loaded
    assert pydantic_here is False, "Pyodide here must lack pydantic, or this test proves nothing"
    assert "airelay.hosts.worker" in modules
    assert not [m for m in modules if m.startswith("pydantic")]


def test_inputs_arrive_as_plain_js_objects(pyodide: PyodideRunner) -> None:
    recorded = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        ai = AiBinding(env.AI)
        await ai.run("openai/gpt-5.4-mini", {CHAT_INPUTS!r}, {{"gateway": {{"id": "g"}}}})
        calls(env.AI)
        """,
    )
    assert len(recorded) == 1
    call = recorded[0]
    assert call["argc"] == 3
    assert call["model"] == "openai/gpt-5.4-mini"
    assert call["inputs"] == CHAT_INPUTS
    assert call["issues"] == []


def test_gateway_options_arrive_as_plain_js_objects(pyodide: PyodideRunner) -> None:
    call = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        ai = AiBinding(env.AI)
        await ai.run("openai/gpt-5.4-pro", {{"input": "hi"}}, {GATEWAY_OPTIONS!r})
        calls(env.AI)[0]
        """,
    )
    assert call["options"] == {**GATEWAY_OPTIONS, "returnRawResponse": True}
    assert call["inputs"] == {"input": "hi"}
    assert call["issues"] == []


def test_inputs_and_options_reach_the_binding_as_given_nulls_included(
    pyodide: PyodideRunner,
) -> None:
    call = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        inputs = {
            "messages": [{"role": "user", "content": "hi", "name": None}],
            "temperature": None,
            "stream_options": {"include_usage": None},
            "stop": ("a", "b"),
        }
        options = {"gateway": {"id": "g", "metadata": {"k": None, "v": 1}}}
        await AiBinding(env.AI).run("m", inputs, options)
        calls(env.AI)[0]
        """,
    )
    # The body is the caller's JSON and goes on as sent (a schema's `"default": null` too); so
    # do the options: AI Gateway's metadata allows null values, which a caller may send.
    assert call["inputs"] == {
        "messages": [{"role": "user", "content": "hi", "name": None}],
        "temperature": None,
        "stream_options": {"include_usage": None},
        "stop": ["a", "b"],
    }
    assert call["options"] == {
        "gateway": {"id": "g", "metadata": {"k": None, "v": 1}},
        "returnRawResponse": True,
    }
    assert [issue for issue in call["issues"] if "null" not in str(issue)] == []


def test_integers_past_js_safe_range_reach_the_binding_as_numbers(pyodide: PyodideRunner) -> None:
    call = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        schema = {"type": "integer", "maximum": 18446744073709551615}
        await AiBinding(env.AI).run("m", {"tools": [schema]}, {"gateway": {"id": "g"}})
        calls(env.AI)[0]
        """,
    )
    # JSON.stringify writes the double nearest the caller's integer, as a JS client would.
    assert call["inputs"] == {"tools": [{"type": "integer", "maximum": 18446744073709552000}]}


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


def test_every_call_asks_the_binding_for_the_raw_response(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        ai = AiBinding(env.AI)
        env.AI.answerJson('{"ok": true}')
        await ai.run("m", {}, {"gateway": {"id": "g"}})
        env.AI.answerStream("data: [DONE]\\n\\n")
        await ai.run("m", {"stream": True}, {})
        [call["options"].get("returnRawResponse") for call in calls(env.AI)]
        """,
    )
    # workerd reads returnRawResponse back from the binding's shared `#options` after the
    # upstream answers: one call of the isolate without it could flip another's.
    assert got == [True, True]


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


def test_overlapping_requests_each_get_their_own_log_id(pyodide: PyodideRunner) -> None:
    # workerd's binding is one object per isolate: each `run` overwrites its `aiGatewayLogId`
    # once the upstream's headers arrive, and for JSON still awaits the body afterwards. Here
    # A's headers come first, then B's; B finishes, then A: the field says "log-b" when A ends.
    got = run(
        pyodide,
        """
        import asyncio, base64
        env = stand_ins.makeEnv()
        spec = {"contentType": "application/json", "held": True}
        a = env.AI.answer(json.dumps({**spec, "body": '{"who": "a"}', "logId": "log-a"}))
        b = env.AI.answer(json.dumps({**spec, "body": '{"who": "b"}', "logId": "log-b"}))
        task_a = asyncio.ensure_future(worker.serve(make_request(body=b"{}"), env, FakeCore()))
        await env.AI.whenCalled(a)
        task_b = asyncio.ensure_future(worker.serve(make_request(body=b"{}"), env, FakeCore()))
        await env.AI.whenCalled(b)
        env.AI.releaseHeaders(a)
        await env.AI.whenSettled(a)
        env.AI.releaseHeaders(b)
        await env.AI.whenSettled(b)
        env.AI.releaseBody(b)
        answer_b = await response_json(await task_b)
        env.AI.releaseBody(a)
        answer_a = await response_json(await task_a)
        [[json.loads(base64.b64decode(r["body"]))["who"], dict(r["headers"]).get("cf-aig-log-id")]
         for r in (answer_a, answer_b)] + [env.AI.aiGatewayLogId]
        """,
    )
    assert got[-1] == "log-b", "the shared field must hold the last call's id, as in workerd"
    assert got[:2] == [["a", "log-a"], ["b", "log-b"]]


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
            await worker.serve(make_request(body=b"{{}}"), env, FakeCore())
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


def test_stream_result_is_the_same_js_object_in_response(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        env.AI.answerStream({SSE_TEXT!r}, 5)
        result = await AiBinding(env.AI).run("m", {{"stream": True}}, {{}})
        core = FakeCore()
        stand_ins.spyOnResponse()
        try:
            response = to_workers_response(
                Response(200, [("content-type", "text/event-stream; charset=utf-8"),
                               ("cache-control", "no-cache")], stream=result.stream)
            )
        finally:
            stand_ins.stopSpying()
        {{
            "result_type": type(result).__name__,
            "result_is_binding_stream": stand_ins.same(result.stream, env.AI.lastStream),
            "constructed": len(stand_ins.constructed),
            "response_got_binding_stream": stand_ins.constructedBodyIs(-1, env.AI.lastStream),
            "body_is_binding_stream": stand_ins.same(response.body, env.AI.lastStream),
            "locked": bool(env.AI.lastStream.locked),
            "pulls_before_reading": env.AI.pulls,
            "headers": json.loads(stand_ins.headersJson(response.headers)),
        }}
        """,
    )
    assert got["result_type"] == "StreamResult"
    assert got["result_is_binding_stream"] is True
    assert got["constructed"] == 1
    assert got["response_got_binding_stream"] is True
    assert got["body_is_binding_stream"] is True
    # Nothing read a byte or took a reader: Python did no work on the stream.
    assert got["locked"] is False
    assert got["pulls_before_reading"] == 0
    assert got["headers"] == [
        ["cache-control", "no-cache"],
        ["content-type", "text/event-stream; charset=utf-8"],
    ]


def test_stream_bytes_read_back_intact(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv()
        # 3-byte chunks split the multi-byte characters across chunks.
        env.AI.answerStream({SSE_TEXT!r}, 3)
        response = await worker.serve(make_request(body=b"{{}}"), env, FakeCore())
        await response_json(response)
        """,
    )
    assert got["status"] == 200
    assert base64.b64decode(got["body"]) == SSE_TEXT.encode()
    assert ["content-type", "text/event-stream; charset=utf-8"] in got["headers"]


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
        "upstream_rejected",
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
        response = await worker.serve(make_request(body=b"{{}}"), env, FakeCore())
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
    assert error["param"] is None
    kinds = {400: "invalid_request_error", 429: "rate_limit_error"}
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
        response = await worker.serve(make_request(body=b"{{}}"), env, FakeCore())
        await response_json(response)
        """,
    )
    assert got["status"] == status
    error = json.loads(base64.b64decode(got["body"]))["error"]
    assert error["code"] == code
    assert fragment in error["message"]


REQUEST_BODY = '{"messages":[{"role":"user","content":"Grüße, 世界 👋"}]}'.encode() + bytes(
    [0, 255, 254, 10, 13]
)


def test_js_request_converts_losslessly(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        request = make_request(
            "POST",
            "https://relay.example/v1/chat/completions/%C3%BC%20x?a=1&b=%E4%B8%96&a=2&empty=",
            [("Content-Type", "application/json"),
             ("X-Custom-Header", "Grüße".encode().decode("latin-1")),
             ("Accept", "text/event-stream"), ("Authorization", "Bearer sk-1")],
            {REQUEST_BODY!r},
        )
        await request_json(await to_core_request(request))
        """,
    )
    assert got["method"] == "POST"
    assert got["path"] == "/v1/chat/completions/%C3%BC%20x"
    assert got["query"] == "a=1&b=%E4%B8%96&a=2&empty="
    assert got["headers"] == [
        ["accept", "text/event-stream"],
        ["authorization", "Bearer sk-1"],
        ["content-type", "application/json"],
        ["x-custom-header", "Grüße".encode().decode("latin-1")],
    ]
    assert base64.b64decode(got["body"]) == REQUEST_BODY
    assert got["client"] is None
    assert got["client_type"] == "NoneType"


def test_workers_request_converts_like_the_js_request(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        import workers
        body = {REQUEST_BODY!r}
        headers = [("content-type", "application/json"), ("cf-connecting-ip", "203.0.113.9")]
        url = "https://relay.example/v1/responses?x=%20"
        raw = await to_core_request(make_request("PUT", url, headers, body))
        sdk_request = workers.Request(make_request("PUT", url, headers, body))
        wrapped = await to_core_request(sdk_request)
        [await request_json(raw), await request_json(wrapped)]
        """,
    )
    assert got[0] == got[1]
    assert got[0]["method"] == "PUT"
    assert got[0]["client"] == "203.0.113.9"
    assert base64.b64decode(got[0]["body"]) == REQUEST_BODY


def test_bodiless_request_has_empty_body(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        await request_json(
            await to_core_request(make_request("GET", "https://relay.example/v1/models"))
        )
        """,
    )
    assert got == {
        "method": "GET",
        "path": "/v1/models",
        "query": "",
        "headers": [],
        "body": "",
        "client": None,
        "client_type": "NoneType",
    }


def test_body_declared_over_the_limit_is_never_read(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        request = make_request(headers=[("content-length", "11")], body=b'{"a": "bc"}')
        from airelay.core.types import BodyTooLargeError
        core_request = await to_core_request(request)
        try:
            outcome = (await core_request.read_body(10)).decode()
        except BodyTooLargeError:
            outcome = "too large"
        [outcome, core_request.header("content-length"), bool(request.bodyUsed)]
        """,
    )
    assert got == ["too large", "11", False]


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


def test_chunked_body_is_read_only_just_past_the_limit(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        request = stand_ins.makeStreamRequest("POST", "https://relay.example/v1/responses", 40, 100)
        from airelay.core.types import BodyTooLargeError
        core_request = await to_core_request(request)
        try:
            outcome = len(await core_request.read_body(1000))
        except BodyTooLargeError:
            outcome = "too large"
        [outcome, core_request.header("content-length"), request.pulls()]
        """,
    )
    outcome, declared, pulls = got
    assert declared is None
    assert outcome == "too large"
    # 100-byte chunks: reading stops with the 11th, which passes 1,000 bytes; the stream itself
    # pulls one chunk ahead of its reader (its high-water mark).
    assert pulls <= 12


def test_chunked_body_within_the_limit_is_read_whole(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        request = stand_ins.makeStreamRequest("POST", "https://relay.example/v1/responses", 5, 100)
        len(await (await to_core_request(request)).read_body(1000))
        """,
    )
    assert got == 500


def test_body_within_the_limit_is_read_whole(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        request = make_request(headers=[("content-length", "11")], body=b'{"a": "bc"}')
        (await (await to_core_request(request)).read_body(11)).decode()
        """,
    )
    assert got == '{"a": "bc"}'


def test_unreadable_body_reaches_the_core_as_a_body_error(pyodide: PyodideRunner) -> None:
    # The core answers it (400 bad_body), so it gets a request id, CORS and a log line.
    got = run(
        pyodide,
        """
        from airelay.core.types import BodyError
        request = make_request(body=b"{}")
        await request.text()  # the body is used up
        core = FakeCore()
        await worker.serve(request, stand_ins.makeEnv(), core)
        try:
            body_error = "read " + (await core.seen[0].read_body(100)).decode()
        except BodyError as error:
            body_error = type(error).__name__ + ": " + str(error)
        [len(core.seen), body_error]
        """,
    )
    handled, body_error = got
    assert handled == 1
    assert body_error.startswith("BodyError: ")
    assert len(body_error) > len("BodyError: ")


def test_env_vars_read_as_strings(pyodide: PyodideRunner) -> None:
    env_vars = {
        "AI_GATEWAY_ID": "my-gateway",
        "AI_GATEWAY_CACHE_TTL": "",
        "SECRET_KEY": "sk-ünï",
        "COUNT": 3,
        "RATIO": 0.5,
        "ENABLED": True,
        "LIMITS": {"rpm": 60, "tags": ["a", None]},
    }
    got = run(
        pyodide,
        f"""
        from workers import _EnvWrapper
        env = stand_ins.makeEnv({json.dumps(env_vars)!r})
        plain, wrapped = EnvVars(env), EnvVars(_EnvWrapper(env))
        absent = [name for name in ("MISSING", "AI", "RATE_LIMITER", "constructor", "toString")
                  if name not in plain]
        [dict(plain), dict(wrapped), len(plain), absent, plain.get("MISSING", "default")]
        """,
    )
    expected = {
        "AI_GATEWAY_ID": "my-gateway",
        "AI_GATEWAY_CACHE_TTL": "",
        "SECRET_KEY": "sk-ünï",
        "COUNT": "3",
        "RATIO": "0.5",
        "ENABLED": "true",
        "LIMITS": '{"rpm":60,"tags":["a",null]}',
    }
    assert got[0] == expected
    assert got[1] == expected
    assert got[2] == len(expected)
    assert got[3] == ["MISSING", "AI", "RATE_LIMITER", "constructor", "toString"]
    assert got[4] == "default"


def test_workers_response_for_204_has_no_body(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        response = to_workers_response(
            Response(204, [("access-control-allow-origin", "*")], b"ignored")
        )
        from pyodide.ffi import JsProxy
        [isinstance(response, JsProxy), await response_json(response)]
        """,
    )
    assert got[0] is True, "the JS Response itself, not a workers.Response around it"
    assert got[1]["is_js_response"] is True
    assert got[1]["status"] == 204
    assert got[1]["body_is_null"] is True
    assert got[1]["body"] == ""
    assert got[1]["headers"] == [["access-control-allow-origin", "*"]]


def test_workers_response_carries_bytes_and_repeated_headers(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        body = "{\\"message\\":\\"Grüße 👋\\"}".encode() + bytes([0, 255])
        response = to_workers_response(
            Response(418, [("content-type", "application/json"), ("vary", "origin"),
                           ("vary", "accept"), ("set-cookie", "a=1"), ("set-cookie", "b=2")], body)
        )
        [b64(body), await response_json(response), list(response.headers.getSetCookie())]
        """,
    )
    expected_body, response, cookies = got
    assert response["status"] == 418
    assert response["body"] == expected_body
    assert ["vary", "origin, accept"] in response["headers"]
    assert cookies == ["a=1", "b=2"]


def test_empty_body_response(pyodide: PyodideRunner) -> None:
    got = run(pyodide, "await response_json(to_workers_response(Response(200, [], b'')))")
    assert got["status"] == 200
    assert got["body"] == ""


def test_serve_returns_js_response_from_core(pyodide: PyodideRunner) -> None:
    answer = {"id": "chatcmpl-9", "object": "chat.completion", "choices": [], "note": None}
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv('{{"AI_GATEWAY_ID": "gw"}}')
        env.AI.answerJson({json.dumps(answer)!r}, "log-77")
        core = FakeCore(status=201, extra_headers=[("x-relay", "airelay")])
        response = await worker.serve(
            make_request(
                body=b'{{"messages": []}}', headers=[("cf-connecting-ip", "198.51.100.4")]
            ),
            env,
            core,
        )
        seen = core.seen[0]
        [await response_json(response), await request_json(seen), dict(core.platforms[0].env),
         type(core.platforms[0].backend).__name__]
        """,
    )
    response, seen, env_vars, backend = got
    assert response["is_js_response"] is True
    assert response["status"] == 201
    assert dict(response["headers"]) == {
        "content-type": "application/json",
        "x-relay": "airelay",
        "cf-aig-log-id": "log-77",
    }
    assert json.loads(base64.b64decode(response["body"])) == answer
    assert seen["client"] == "198.51.100.4"
    assert base64.b64decode(seen["body"]) == b'{"messages": []}'
    assert env_vars == {"AI_GATEWAY_ID": "gw"}
    assert backend == "AiBinding"


def test_sdk_wrapped_env_still_reaches_the_raw_binding(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        import workers
        from workers import _EnvWrapper
        env = stand_ins.makeEnv()
        wrapped = _EnvWrapper(env)
        # What the SDK's own wrapper would send: it turns None into null.
        env.AI.answerJson("{{}}")
        await wrapped.AI.run("m", {{"temperature": None}}, {{}})
        env.AI.answerStream({SSE_TEXT!r}, 8)
        request = workers.Request(make_request(body=b"{{}}"))
        response = await worker.serve(request, wrapped, FakeCore())
        [type(wrapped.AI).__name__, calls(env.AI)[0]["issues"],
         stand_ins.same(response.body, env.AI.lastStream),
         calls(env.AI)[1]["issues"], await response_json(response)]
        """,
    )
    wrapper_name, sdk_issues, same_stream, glue_issues, response = got
    assert wrapper_name == "_BindingWrapper", "the stand-in must look like workerd's Ai binding"
    assert sdk_issues == ["inputs.temperature: null"]
    assert same_stream is True
    assert glue_issues == []
    assert base64.b64decode(response["body"]) == SSE_TEXT.encode()


def test_entry_wires_serve_through_the_sdk_entrypoint(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        import importlib, sys, types
        import js
        fake_app = types.ModuleType("airelay.core.app")
        fake_app.handle = FakeCore()
        saved = {{name: sys.modules.pop(name, None) for name in ("airelay.core.app", "entry")}}
        sys.modules["airelay.core.app"] = fake_app
        try:
            entry = importlib.import_module("entry")
            env = stand_ins.makeEnv()
            env.AI.answerStream({SSE_TEXT!r}, 6)
            instance = entry.Default(js.Object.new(), env)
            response = await instance.fetch(make_request(body=b"{{}}"))
        finally:
            for name, module in saved.items():
                sys.modules.pop(name, None)
                if module is not None:
                    sys.modules[name] = module
        [type(instance.env).__name__, stand_ins.same(response.body, env.AI.lastStream),
         len(fake_app.handle.seen), await response_json(response)]
        """,
    )
    env_type, same_stream, handled, response = got
    assert env_type == "_EnvWrapper", "WorkerEntrypoint wraps env, as on the Worker"
    assert same_stream is True
    assert handled == 1
    # workerd answers with the JS Response that fetch returns (see to_workers_response).
    assert response["is_js_response"] is True
    assert response["status"] == 200
    assert base64.b64decode(response["body"]) == SSE_TEXT.encode()


def test_entry_module_is_only_wiring() -> None:
    lines = [
        line
        for line in (ROOT / "src" / "entry.py").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith(("#", '"""'))
    ]
    assert len(lines) <= 6, lines


def test_rate_limiter_binding_answers_per_key(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv("{}", '{"allowed": 2}')
        core = FakeCore()
        await worker.serve(make_request(body=b"{}"), env, core)
        limiter = core.platforms[0].rate_limiter
        answers = [await limiter.limit("ip:203.0.113.9") for _ in range(3)]
        answers.append(await limiter.limit("ip:other"))
        no_binding = FakeCore()
        bare_env = stand_ins.makeEnv("{}", '{"rateLimiter": false}')
        await worker.serve(make_request(body=b"{}"), bare_env, no_binding)
        [type(limiter).__name__, answers, list(env.RATE_LIMITER.keys),
         list(env.RATE_LIMITER.argsIssues), no_binding.platforms[0].rate_limiter is None]
        """,
    )
    name, answers, keys, issues, none_without_binding = got
    assert name == "RateLimitBinding"
    assert answers == [True, True, False, True]
    assert keys == ["ip:203.0.113.9"] * 3 + ["ip:other"]
    assert issues == []
    assert none_without_binding is True


def test_rate_limiter_failure_lets_the_request_through(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv()
        env.RATE_LIMITER.failWith("rate limiting service unavailable")
        core = FakeCore()
        await worker.serve(make_request(body=b"{}"), env, core)
        [await core.platforms[0].rate_limiter.limit("k"), list(env.RATE_LIMITER.keys)]
        """,
    )
    assert got == [True, ["k"]]


def test_missing_ai_binding_is_a_misconfiguration_error(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv("{}", '{"ai": false}')
        await response_json(await worker.serve(make_request(body=b"{}"), env, FakeCore()))
        """,
    )
    assert got["status"] == 500
    assert json.loads(base64.b64decode(got["body"]))["error"]["code"] == "misconfigured"
