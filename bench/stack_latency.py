"""Timings at c=1 from a blocking-socket client: whole answers and the first body byte."""

from __future__ import annotations

import socket
import statistics
import time

from stack_servers import Server


def _request(port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _exchange(sock: socket.socket, request: bytes) -> tuple[float, float]:
    """Send one request; return (seconds to the first body byte, seconds to the whole answer)."""
    started = time.perf_counter()
    sock.sendall(request)
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536)
    head, _, rest = buffer.partition(b"\r\n\r\n")
    first = None
    if b"transfer-encoding: chunked" in head.lower():
        # Chunked: the first chunk holds the first SSE event; a 0-size chunk ends the answer.
        while True:
            while b"\r\n" not in rest:
                rest += sock.recv(65536)
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += sock.recv(65536)
            if first is None and size:
                first = time.perf_counter()
            rest = rest[size + 2 :]
            if size == 0:
                break
    else:
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        while len(rest) < length:
            rest += sock.recv(65536)
        first = time.perf_counter()
    ended = time.perf_counter()
    assert first is not None
    return first - started, ended - started


def latency(server: Server, path: str, body: bytes, count: int) -> dict[str, float]:
    """Return p50/p99 of whole answers and the p50 time to first byte, in ms, at c=1."""
    request = _request(server.port, path, body)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(min(20, count)):
            _exchange(sock, request)
        samples = [_exchange(sock, request) for _ in range(count)]
    totals = sorted(total for _, total in samples)
    return {
        "p50": statistics.median(totals) * 1e3,
        "p99": totals[min(len(totals) - 1, int(len(totals) * 0.99))] * 1e3,
        "ttfb": statistics.median(first for first, _ in samples) * 1e3,
    }
