"""Tier 2: the Worker glue's cheap paths (fewer JS crossings) behave as the JS APIs they replace.

The URL is split in Python instead of by a JS URL, headers cross in one call, the Response's
status and headers in one JSON text, a JSON answer's bytes go on as read. Each test holds the
Python path against what the JS side says, in real Pyodide on both runtimes (conftest.py).
"""

from __future__ import annotations

import base64
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
from harness import b64, make_request, request_json, response_json
from airelay.hosts.worker.binding import AiBinding
from airelay.hosts.worker.request import split_url, to_core_request
from airelay.hosts.worker.response import to_workers_response
from airelay.core.types import JsonResult, Response
"""

URLS = [
    "https://relay.example/v1/chat/completions",
    "https://relay.example/v1/chat/completions?",
    "https://relay.example/v1/models?limit=5&after=m%2F1",
    "https://relay.example/v1/chat/completions/%C3%BC%20x?a=1&b=%E4%B8%96&a=2&empty=",
    "https://relay.example/v1/a#frag",
    "https://relay.example/v1/a?q=1#frag?not=query",
    "https://relay.example/v1/a?#",
    "https://relay.example/v1/a?q=a/b?c",
    "https://relay.example",
    "https://relay.example/a/../v1/./models",
    "https://relay.example/ü 世?ü=世 x",
    "https://[::1]:8787/v1/responses?stream=true",
    "http://127.0.0.1:8787//double//slash?",
    "HTTPS://Relay.Example/V1/Models?Q=A",
]


def run(pyodide: PyodideRunner, code: str) -> Any:
    """Run `code` after the common imports."""
    return pyodide.run(PRELUDE + textwrap.dedent(code))


def test_path_and_query_match_the_js_url_parser(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        rows = []
        for url in {URLS!r}:
            request = make_request("GET", url)
            core = await to_core_request(request)
            parsed = js.URL.new(request.url)
            rows.append([str(request.url), core.path, core.query,
                         str(parsed.pathname), str(parsed.search)[1:]])
        rows
        """,
    )
    assert len(got) == len(URLS)
    for serialised, path, query, js_path, js_query in got:
        assert (path, query) == (js_path, js_query), serialised
    by_url = {row[0]: row for row in got}
    # The cases the split has to get right, as the URL parser answers them.
    assert by_url["https://relay.example/v1/a?q=1#frag?not=query"][1:3] == ["/v1/a", "q=1"]
    assert by_url["https://relay.example/"][1:3] == ["/", ""]
    assert by_url["https://relay.example/v1/a?q=a/b?c"][2] == "q=a/b?c"


def test_split_url_reads_serialised_urls_without_a_js_url(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        [split_url(url) for url in [
            "https://relay.example/v1/x?a=1#f",
            "https://relay.example/v1/x#f?a",
            "https://relay.example",
            "https://relay.example?a=1",
            "https://relay.example/%3F%23?q=%23",
        ]]
        """,
    )
    assert [tuple(pair) for pair in got] == [
        ("/v1/x", "a=1"),
        ("/v1/x", ""),
        ("/", ""),
        ("/", ""),
        ("/%3F%23", "q=%23"),
    ]


def test_split_url_skips_credentials_as_the_url_parser_does(pyodide: PyodideRunner) -> None:
    # A Request refuses credentials in its URL, but the split must not depend on that.
    got = run(
        pyodide,
        """
        rows = []
        for text in ["https://u:p@ss@relay.example:8443/v1/x?y=1",
                     "https://u%2F%3F:p%23@relay.example/v1/y?z"]:
            url = js.URL.new(text)
            rows.append([list(split_url(str(url.href))),
                         [str(url.pathname), str(url.search)[1:]]])
        rows
        """,
    )
    for ours, theirs in got:
        assert ours == theirs
    assert got[0][0] == ["/v1/x", "y=1"]


def test_repeated_request_headers_arrive_joined_as_js_headers_join_them(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        request = make_request("POST", "https://relay.example/v1/chat/completions", [
            ("X-Tag", "a"), ("Accept", "application/json"), ("x-tag", "b, c"),
            ("CF-Connecting-IP", "203.0.113.9"), ("X-Tag", "d"),
        ], b"{}")
        core = await to_core_request(request)
        [list(map(list, core.headers.raw())), core.header("X-TAG"), core.client,
         str(request.headers.get("x-tag"))]
        """,
    )
    raw, joined, client, js_joined = got
    assert raw == [
        ["accept", "application/json"],
        ["cf-connecting-ip", "203.0.113.9"],
        ["x-tag", "a, b, c, d"],
    ]
    assert joined == js_joined == "a, b, c, d"
    assert client == "203.0.113.9"


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
