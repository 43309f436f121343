"""Tier 2: the bindings (hosts/worker/binding.py): `env.AI.run` receives the caller's JSON as
plain JS objects in one crossing, always asking for the raw Response; `env.RATE_LIMITER` counts
per key and lets requests through when it fails."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.pyodide.runner_client import PyodideRunner
from tests.pyodide.snippets import run

pytestmark = pytest.mark.pyodide


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


def run_odd(pyodide: PyodideRunner, mode: str) -> Any:
    """Call AiBinding.run on an OddAi in `mode`; return what came back or what was raised."""
    return run(
        pyodide,
        f"""
        from airelay.core.errors import BackendError
        odd = stand_ins.OddAi.new({mode!r})
        try:
            result = await AiBinding(odd).run("m", {{"messages": []}}, {{}})
            outcome = ["result", type(result).__name__, result.data, result.gateway_log_id]
        except BackendError as error:
            headers = error.to_response().headers
            outcome = ["error", error.status, error.code, error.message, headers]
        outcome + [odd.calls, odd.argc]
        """,
    )


def test_a_thenable_that_is_no_promise_is_awaited_like_one(pyodide: PyodideRunner) -> None:
    assert run_odd(pyodide, "thenable") == ["result", "JsonResult", {"odd": True}, "log-odd", 1, 3]


def test_an_answer_that_is_no_response_is_a_502(pyodide: PyodideRunner) -> None:
    got = run_odd(pyodide, "plain")
    assert got[:3] == ["error", 502, "upstream_malformed"]
    assert "did not return the upstream response" in got[3]
    assert got[5:] == [1, 3]


def test_a_run_that_throws_at_once_is_a_502(pyodide: PyodideRunner) -> None:
    got = run_odd(pyodide, "syncThrow")
    assert got[:3] == ["error", 502, "upstream_error"]
    assert "TypeError: bad arguments" in got[3]
    assert got[5:] == [1, 3]


def test_a_json_body_that_fails_mid_read_is_a_502_with_the_log_id(
    pyodide: PyodideRunner,
) -> None:
    got = run_odd(pyodide, "brokenBody")
    assert got[:3] == ["error", 502, "upstream_error"]
    assert "network connection lost" in got[3]
    assert ["cf-aig-log-id", "log-odd"] in got[4]
    assert got[5:] == [1, 3]


def test_concurrent_calls_each_get_their_own_answer(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        import asyncio
        env = stand_ins.makeEnv()
        ai = AiBinding(env.AI)
        for index in range(3):
            env.AI.answerJson(json.dumps({"n": index}), f"log-{index}")
        results = await asyncio.gather(*(ai.run("m", {}, {}) for _ in range(3)))
        [[r.data["n"], r.gateway_log_id] for r in results]
        """,
    )
    assert got == [[0, "log-0"], [1, "log-1"], [2, "log-2"]]


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
        task_a = asyncio.ensure_future(serve(make_request(body=b"{}"), env, FakeCore()))
        await env.AI.whenCalled(a)
        task_b = asyncio.ensure_future(serve(make_request(body=b"{}"), env, FakeCore()))
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


def test_missing_ai_binding_is_a_misconfiguration_error(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv("{}", '{"ai": false}')
        await response_json(await serve(make_request(body=b"{}"), env, FakeCore()))
        """,
    )
    assert got["status"] == 500
    assert json.loads(base64.b64decode(got["body"]))["error"]["code"] == "misconfigured"


def test_rate_limiter_binding_answers_per_key(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv("{}", '{"allowed": 2}')
        core = FakeCore()
        await serve(make_request(body=b"{}"), env, core)
        limiter = core.platforms[0].rate_limiter
        answers = [await limiter.limit("ip:203.0.113.9") for _ in range(3)]
        answers.append(await limiter.limit("ip:other"))
        no_binding = FakeCore()
        bare_env = stand_ins.makeEnv("{}", '{"rateLimiter": false}')
        await serve(make_request(body=b"{}"), bare_env, no_binding)
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
        await serve(make_request(body=b"{}"), env, core)
        [await core.platforms[0].rate_limiter.limit("k"), list(env.RATE_LIMITER.keys)]
        """,
    )
    assert got == [True, ["k"]]
