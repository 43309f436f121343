"""A raw HTTP server on loopback for the key-set fetchers' tests (the local host's, and the
Worker glue's under Pyodide, whose Node `fetch` reaches it): each path misbehaves as an
attacker's or a broken provider's server would."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from airelay.core.jwks import MAX_JWKS_BYTES
from tests.token_support import jwks, pair

GUARD_SECONDS = 10  # a test that would otherwise hang fails after this
DRIP_SECONDS = 0.05


@dataclass
class Scripted:
    """A raw HTTP server on loopback: each path answers by its script; records what it saw."""

    port: int = 0
    paths: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    # Set when a connection the server was still writing to was closed by the client.
    client_gone: threading.Event = field(default_factory=threading.Event)
    asked: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        """Return the http URL of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def key_set(self) -> bytes:
        """Return the key set `/jwks` serves."""
        return jwks(pair("RS256"))


def _write(handler: socketserver.StreamRequestHandler, data: bytes) -> None:
    handler.wfile.write(data)
    handler.wfile.flush()


def _drip(server: Scripted, handler: socketserver.StreamRequestHandler, head: bytes) -> None:
    _write(handler, head)
    while not server.stop.wait(DRIP_SECONDS):
        try:
            _write(handler, b" ")
        except OSError:
            server.client_gone.set()
            return


def _endless_chunks(server: Scripted, handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    while not server.stop.is_set():
        try:
            _write(handler, chunk)
        except OSError:
            server.client_gone.set()
            return


def _hold(server: Scripted) -> None:
    server.stop.wait(GUARD_SECONDS)


def _answer(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\ncontent-length: {len(body)}\r\n{extra}connection: close\r\n\r\n"
    return head.encode() + body


SCRIPTS: dict[str, Callable[[Scripted, socketserver.StreamRequestHandler], None]] = {
    "/jwks": lambda s, h: _write(h, _answer(s.key_set)),
    "/drip-body": lambda s, h: _drip(s, h, b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n"),
    "/drip-headers": lambda s, h: _drip(s, h, b"HTTP/1.1 200 OK\r\nx-slow: "),
    "/bad-status": lambda s, h: _write(h, b"HTTP/1.1 2OO OK\r\n\r\n{}"),
    "/short": lambda s, h: _write(h, b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"keys"'),
    "/redirect": lambda s, h: _write(
        h, _answer(b"", "302 Found", f"location: {s.url('/jwks')}\r\n")
    ),
    "/big": lambda s, h: _write(h, _answer(b'{"keys":[],"x":"' + b"x" * MAX_JWKS_BYTES + b'"}')),
    "/endless": _endless_chunks,
    "/hold": lambda s, h: _hold(s),
    "/unavailable": lambda s, h: _write(h, _answer(b"busy", "503 Service Unavailable")),
}


@contextmanager
def scripted_server() -> Iterator[Scripted]:
    """Run a Scripted server on a free loopback port until the block ends."""
    scripted = Scripted()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request_line = self.rfile.readline().decode()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            path = request_line.split(" ")[1] if " " in request_line else ""
            scripted.paths.append(path)
            scripted.asked.set()
            SCRIPTS[path](scripted, self)

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    httpd = Server(("127.0.0.1", 0), Handler)
    scripted.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield scripted
    finally:
        scripted.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=GUARD_SECONDS)
