"""Tier 2: the glue's shared JS crossings (hosts/worker/bridge.py) answer as the general ones:
JsProxy checks answered once per type, JSON handed to JS by one C encoder made once."""

from __future__ import annotations

import json

import pytest

from tests.pyodide.runner_client import PyodideRunner
from tests.pyodide.snippets import run

pytestmark = pytest.mark.pyodide


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
            "text", 3, None, {}, [], b"", unwrap,
        ]
        # Twice: the second round is answered from the per-type cache.
        [[is_js(v) == isinstance(v, JsProxy) for v in values] for _ in range(2)]
        """,
    )
    assert got == [[True] * 16] * 2


def test_json_to_js_keeps_json_exactly_and_refuses_what_json_cannot_hold(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        value = {"a": None, "b": "ü 世 \\u2028 \\"q\\"", "c": 2**70, "d": [1.5, -0.0, True],
                 "e": {}, "f": []}
        text = str(js.JSON.stringify(json_to_js(value)))
        refused = []
        for bad in (float("nan"), float("inf"), {1, 2}, object()):
            try:
                json_to_js({"x": bad})
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
