"""Tier 2: a JS Request becomes the core's Request (hosts/worker/request.py) losslessly: the URL
split in Python as the JS URL parser splits it, headers in one crossing as JS Headers join them,
the body read only as far as the core's limit needs."""

from __future__ import annotations

import base64

import pytest

from tests.pyodide.runner_client import PyodideRunner
from tests.pyodide.snippets import run

pytestmark = pytest.mark.pyodide


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


@pytest.mark.parametrize(("limit", "outcome"), [(1000, 1000), (999, "too large")])
def test_chunked_body_at_the_limit_is_read_whole_and_one_byte_over_is_too_large(
    pyodide: PyodideRunner, limit: int, outcome: int | str
) -> None:
    got = run(
        pyodide,
        f"""
        request = stand_ins.makeStreamRequest("POST", "https://relay.example/v1/responses", 10, 100)
        from airelay.core.types import BodyTooLargeError
        try:
            outcome = len(await (await to_core_request(request)).read_body({limit}))
        except BodyTooLargeError:
            outcome = "too large"
        outcome
        """,
    )
    assert got == outcome


def test_body_in_thousands_of_one_byte_chunks_is_read_whole(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        """
        request = stand_ins.makeStreamRequest("POST", "https://relay.example/v1/responses", 5000, 1)
        len(await (await to_core_request(request)).read_body(5000))
        """,
    )
    assert got == 5000


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
        await serve(request, stand_ins.makeEnv(), core)
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
