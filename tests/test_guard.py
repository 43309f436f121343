"""`airelay dev` frees every connection at its deadline, and answers bad HTTP in JSON.

Real sockets against a real server with one-second deadlines: each test waits on a socket read
(with a generous timeout) for the server to close the connection.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from airelay import cli
from airelay.hosts.guard import GuardedH11Protocol
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.e2e

DEADLINE_ARGS = ("--header-timeout", "1", "--body-timeout", "1", "--keep-alive-timeout", "1")
# Far past every deadline: a read that waits this long means the server held the connection.
WAIT_S = 20
CHAT = "/v1/chat/completions"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Run a keyless relay with one-second deadlines."""
    empty = tmp_path_factory.mktemp("guard") / "empty.vars"
    empty.write_text("", encoding="utf-8")
    with live_server(args=("--env-file", str(empty), *DEADLINE_ARGS)) as running:
        yield running


def connect(server: LiveServer) -> socket.socket:
    """Open a raw connection to the server."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT_S)
    sock.settimeout(WAIT_S)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Read everything until the server closes the connection (fail if it does not)."""
    data = b""
    with sock:
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk


def parse(raw: bytes) -> tuple[int, dict[str, str], Any]:
    """Split one raw HTTP/1.1 response (with a content-length) into status, headers, JSON."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    return status, headers, json.loads(body[:length])


def assert_openai_error(raw: bytes, status: int, code: str) -> None:
    """Check that `raw` is one response with an OpenAI-shaped JSON error."""
    got, headers, body = parse(raw)
    assert got == status
    assert headers["content-type"].startswith("application/json")
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["code"] == code


# --- deadlines ---------------------------------------------------------------------------


def test_a_connection_that_sends_nothing_is_closed_at_the_header_deadline(
    server: LiveServer,
) -> None:
    assert read_until_closed(connect(server)) == b""


def test_headers_that_never_end_get_a_408_and_the_connection_closes(server: LiveServer) -> None:
    sock = connect(server)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nX-Drip: 1\r\n")
    assert_openai_error(read_until_closed(sock), 408, "request_timeout")


def test_a_chunked_body_that_never_ends_gets_a_408_and_the_connection_closes(
    server: LiveServer,
) -> None:
    sock = connect(server)
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5\r\n{"mes\r\n'
    )
    raw = read_until_closed(sock)
    assert_openai_error(raw.replace(b"transfer-encoding: chunked", b""), 408, "request_timeout")


def test_a_body_shorter_than_its_length_gets_a_408_and_the_connection_closes(
    server: LiveServer,
) -> None:
    sock = connect(server)
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        b'{"messages":'
    )
    raw = read_until_closed(sock)
    assert_openai_error(raw, 408, "request_timeout")
    assert b"connection: close" in raw.lower()


def test_a_body_the_app_never_reads_is_cut_off_at_the_body_deadline(server: LiveServer) -> None:
    sock = connect(server)
    sock.sendall(b"POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc")
    status, _, _ = parse(read_until_closed(sock))
    assert status == 405


def test_an_idle_keep_alive_connection_is_closed_after_its_answer(server: LiveServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    status, headers, body = parse(read_until_closed(sock))
    assert status == 200
    assert body["status"] == "ok"
    assert headers.get("connection") != "close"


def test_a_request_split_across_sends_within_the_deadline_is_answered(server: LiveServer) -> None:
    sock = connect(server)
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n")
    sock.sendall(b"Content-Type: application/json\r\nConnection: close\r\n")
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body))
    sock.sendall(body)
    status, _, answer = parse(read_until_closed(sock))
    assert status == 200
    assert answer["object"] == "chat.completion"


# --- HTTP the server rejects before the app ---------------------------------------------------

MALFORMED = {
    "control byte in the target": b"GET /\x01 HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "8-bit byte in the target": b"GET /\xff HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "space in a header name": b"GET / HTTP/1.1\r\nHost: localhost\r\nBad Name: x\r\n\r\n",
    "NUL in a header name": b"GET / HTTP/1.1\r\nHost: localhost\r\nX\x00: y\r\n\r\n",
    "two content-lengths": (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    ),
    "negative content-length": (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n"
    ),
    "HTTP/0.9": b"GET /\r\n\r\n",
    "no host": b"GET / HTTP/1.1\r\n\r\n",
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_http_gets_a_400_in_openai_shape(server: LiveServer, raw: bytes) -> None:
    sock = connect(server)
    sock.sendall(raw)
    assert_openai_error(read_until_closed(sock), 400, "invalid_http")


ACCEPTED = {
    "unknown version": b"GET /health HTTP/7.0\r\nHost: localhost\r\n\r\n",
    "folded header": b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n  2\r\n\r\n",
    "large header": (
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    ),
}


@pytest.mark.parametrize("raw", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_odd_http_that_h11_accepts_reaches_the_app(server: LiveServer, raw: bytes) -> None:
    sock = connect(server)
    sock.sendall(raw)
    status, _, body = parse(read_until_closed(sock))
    assert status == 200
    assert body["status"] == "ok"


def test_the_server_keeps_serving_after_bad_requests_without_a_traceback(
    server: LiveServer,
) -> None:
    sock = connect(server)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    status, _, _ = parse(read_until_closed(sock))
    assert status == 200
    assert "Traceback" not in server.log()


# --- how `airelay dev` sets them ----------------------------------------------------------------


def uvicorn_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str], env: dict[str, str]
) -> dict[str, Any]:
    """Run `airelay dev` with `uvicorn.run` replaced; return the options it was given."""
    calls: list[dict[str, Any]] = []
    monkeypatch.chdir(tmp_path)
    for name in ("AIRELAY_HEADER_TIMEOUT_S", "AIRELAY_BODY_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AIRELAY_KEEP_ALIVE_TIMEOUT_S", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    assert cli.main(["dev", *argv]) == 0
    (options,) = calls
    return options


def test_dev_runs_the_guarded_h11_protocol_with_the_documented_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    options = uvicorn_options(monkeypatch, tmp_path, [], {})
    protocol = options["http"]
    assert issubclass(protocol, GuardedH11Protocol)
    assert (protocol.header_timeout, protocol.body_timeout) == (10.0, 30.0)
    assert options["timeout_keep_alive"] == 5
    assert options["access_log"] is False


def test_deadline_flags_win_over_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {"AIRELAY_HEADER_TIMEOUT_S": "3", "AIRELAY_BODY_TIMEOUT_S": "4.5"}
    argv = ["--header-timeout", "0.5", "--keep-alive-timeout", "2"]
    options = uvicorn_options(monkeypatch, tmp_path, argv, env)
    assert (options["http"].header_timeout, options["http"].body_timeout) == (0.5, 4.5)
    assert options["timeout_keep_alive"] == 2


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_a_bad_deadline_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    assert cli.main(["dev", "--body-timeout", value]) == 2
    assert "--body-timeout must be a number of seconds > 0" in capsys.readouterr().err
