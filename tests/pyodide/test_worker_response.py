"""Tier 2: the core's Response becomes the JS Response (hosts/worker/response.py): status and
headers in one JSON text, bytes intact, a stream handed on as the binding's very object."""

from __future__ import annotations

import base64
import json

import pytest

from tests.pyodide.runner_client import PyodideRunner
from tests.pyodide.snippets import SSE_TEXT, run

pytestmark = pytest.mark.pyodide


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


def test_response_headers_cross_intact_in_one_json_text(pyodide: PyodideRunner) -> None:
    headers = [
        ("content-type", "application/json"),
        ("x-quoted", 'say "hi" \\ back'),
        ("x-latin1", "caf\u00e9"),
        ("vary", "origin"),
        ("vary", "accept"),
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
    ]
    got = run(
        pyodide,
        f"""
        response = to_workers_response(Response(201, {headers!r}, b'{{"ok":true}}'))
        [await response_json(response), list(response.headers.getSetCookie())]
        """,
    )
    response, cookies = got
    assert response["status"] == 201
    assert ["x-quoted", 'say "hi" \\ back'] in response["headers"]
    assert ["x-latin1", "caf\u00e9"] in response["headers"]
    assert ["vary", "origin, accept"] in response["headers"]
    assert cookies == ["a=1", "b=2"]
    assert json.loads(base64.b64decode(response["body"])) == {"ok": True}


def test_response_without_content_type_gets_none_added(pyodide: PyodideRunner) -> None:
    # A JS string body would bring `text/plain;charset=UTF-8`; bytes bring no content-type.
    got = run(
        pyodide,
        """
        response = to_workers_response(Response(200, [("x-a", "1")], "Grüße".encode()))
        await response_json(response)
        """,
    )
    assert got["headers"] == [["x-a", "1"]]
    assert base64.b64decode(got["body"]) == "Grüße".encode()


def test_response_body_that_is_not_utf8_goes_as_bytes(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        body = b'{"a":"' + bytes([0xff, 0xfe, 0x00]) + b'"}'
        response = to_workers_response(
            Response(200, [("content-type", "application/json")], body)
        )
        [b64(body), await response_json(response)]
        """,
    )
    expected, response = got
    assert response["body"] == expected


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
        response = await serve(make_request(body=b"{{}}"), env, FakeCore())
        await response_json(response)
        """,
    )
    assert got["status"] == 200
    assert base64.b64decode(got["body"]) == SSE_TEXT.encode()
    assert ["content-type", "text/event-stream; charset=utf-8"] in got["headers"]
