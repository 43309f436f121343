"""Tier 2: the Worker glue's cheaper per-request paths answer as the general ones did.

JsProxy checks answered once per type, the env's `get` as the dict's own, the binding called
through Reflect.apply with one JSON array, JSON built by a C encoder made once. Each test runs
in real Pyodide on both runtimes (conftest.py).
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from tests.pyodide.runner_client import PyodideRunner

pytestmark = pytest.mark.pyodide

PRELUDE = """
import json
import js
import stand_ins
from pyodide.ffi import JsProxy
from airelay.hosts import worker
"""


def run(pyodide: PyodideRunner, code: str) -> Any:
    """Run `code` after the common imports."""
    return pyodide.run(PRELUDE + textwrap.dedent(code))


def test_js_check_agrees_with_isinstance_for_proxies_and_python_values(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv('{"A": "1"}')
        values = [
            env, env.AI, js.JSON, js.Array.of(1), js.Object.new(), js.Uint8Array.new(2),
            js.Response.new("x"), js.JSON.parse, js.Promise.resolve(1),
            "text", 3, None, {}, [], b"", worker.unwrap,
        ]
        # Twice: the second round is answered from the per-type cache.
        [[worker.is_js(v) == isinstance(v, JsProxy) for v in values] for _ in range(2)]
        """,
    )
    assert got == [[True] * 16] * 2


def test_env_get_taken_before_the_first_read_sees_every_variable(
    pyodide: PyodideRunner,
) -> None:
    # The core binds `env.get` once and maps it over every name (core/settings.py).
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv('{"AI_GATEWAY_ID": "gw", "COUNT": 3, "EMPTY": ""}')
        variables = worker.EnvVars(env)
        get = variables.get
        [
            list(map(get, ["AI_GATEWAY_ID", "COUNT", "EMPTY", "MISSING", "AI"])),
            get("MISSING", "default"),
            variables.get("COUNT"),
            "AI" in variables,
        ]
        """,
    )
    assert got == [["gw", "3", "", None, None], "default", "3", False]


def test_env_vars_keep_their_first_read_and_a_new_one_reads_again(
    pyodide: PyodideRunner,
) -> None:
    # serve keeps one EnvVars per env object (platform_of); a new EnvVars, as a new env gets,
    # sees the env as it is now.
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv('{"API_KEYS": "old"}')
        first = worker.EnvVars(env)
        before = first.get("API_KEYS")
        env.API_KEYS = "new"
        [before, first.get("API_KEYS"), worker.EnvVars(env).get("API_KEYS")]
        """,
    )
    assert got == ["old", "old", "new"]


def test_json_to_js_keeps_json_exactly_and_refuses_what_json_cannot_hold(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        value = {"a": None, "b": "ü 世 \\u2028 \\"q\\"", "c": 2**70, "d": [1.5, -0.0, True],
                 "e": {}, "f": []}
        text = str(js.JSON.stringify(worker.json_to_js(value)))
        refused = []
        for bad in (float("nan"), float("inf"), {1, 2}, object()):
            try:
                worker.json_to_js({"x": bad})
            except (TypeError, ValueError) as exc:
                refused.append(type(exc).__name__)
        [text, refused]
        """,
    )
    text, refused = got
    assert json.loads(text) == {
        "a": None,
        "b": 'ü 世 \u2028 "q"',
        "c": float(2**70),
        "d": [1.5, -0.0, True],
        "e": {},
        "f": [],
    }
    assert refused == ["ValueError", "ValueError", "TypeError", "TypeError"]


def test_json_encoder_without_the_c_accelerator_writes_the_same_json(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        import json.encoder
        from airelay.core import jsonio
        value = {"a": None, "b": "ü", "c": [1, 2.5, 2**70], "d": {"e": False}}
        fast = jsonio.encoder(allow_nan=False)
        saved = json.encoder.c_make_encoder
        json.encoder.c_make_encoder = None
        try:
            slow = jsonio.encoder(allow_nan=False)
        finally:
            json.encoder.c_make_encoder = saved
        [json.loads(fast(value)) == json.loads(slow(value)) == value, "ü" in fast(value)]
        """,
    )
    assert got == [True, True]


def run_odd(pyodide: PyodideRunner, mode: str) -> Any:
    """Call AiBinding.run on an OddAi in `mode`; return what came back or what was raised."""
    return run(
        pyodide,
        f"""
        from airelay.core.errors import BackendError
        odd = stand_ins.OddAi.new({mode!r})
        try:
            result = await worker.AiBinding(odd).run("m", {{"messages": []}}, {{}})
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
        ai = worker.AiBinding(env.AI)
        for index in range(3):
            env.AI.answerJson(json.dumps({"n": index}), f"log-{index}")
        results = await asyncio.gather(*(ai.run("m", {}, {}) for _ in range(3)))
        [[r.data["n"], r.gateway_log_id] for r in results]
        """,
    )
    assert got == [[0, "log-0"], [1, "log-1"], [2, "log-2"]]


def test_one_env_object_makes_one_platform_and_another_env_its_own(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        from workers import _EnvWrapper
        first = stand_ins.makeEnv('{"AI_GATEWAY_ID": "one"}')
        second = stand_ins.makeEnv('{"AI_GATEWAY_ID": "two"}', '{"rateLimiter": false}')
        a = worker.platform_of(first)
        same = [worker.platform_of(first) is a, worker.platform_of(_EnvWrapper(first)) is a]
        b = worker.platform_of(second)
        again = worker.platform_of(first)
        [
            same,
            [p.env.get("AI_GATEWAY_ID") for p in (a, b, again)],
            [p.rate_limiter is None for p in (a, b, again)],
            b is not a,
            again.env.get("AI_GATEWAY_ID"),
        ]
        """,
    )
    assert got == [[True, True], ["one", "two", "one"], [False, True, False], True, "one"]
