"""What `airelay dev --upstream` adds: the relay in front of an upstream against the upstream alone.

    .venv/bin/python bench/upstream.py [--rounds N] [--http h11|httptools] [--tokens N]
        [--token-delay-ms MS]

The upstream is another `airelay dev` (the local model, no token delay); the relay is
`airelay dev --upstream http://127.0.0.1:<port>/v1`; both run on this machine with the same
interpreter, parser and loop. A blocking-socket client alternates the same request between them
(one connection each, kept alive), and prints, from the medians over the rounds:
- JSON: the p50 of a whole non-streamed chat answer, and what the relay adds to it; and the CPU
  each process spends per call (from /proc/<pid>/stat), which tells where the added time goes;
- streams: the time to the first SSE byte of a streamed chat answer, and what the relay adds;
- the per-chunk cost of a stream (first to last byte over the events) through the relay against
  direct, as a ratio;
beside the issue's targets (<= 0.5 ms, <= 0.5 ms, <= 1.2x).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.live_server import LiveServer, live_server  # noqa: E402

TARGET_JSON_MS = 0.5
TARGET_FIRST_BYTE_MS = 0.5
TARGET_CHUNK_RATIO = 1.2


@dataclass
class Timing:
    """One answer: seconds to its first body byte and to its end, and its events."""

    first_byte: float
    total: float
    events: int


class Connection:
    """A kept-alive HTTP/1.1 connection that times one POST at a time."""

    def __init__(self, port: int) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._port = port

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()

    def post(self, path: str, body: bytes) -> Timing:
        """Send one POST; read the answer whole (content-length or chunked)."""
        request = (
            f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{self._port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        self._sock.sendall(request)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            buffer += self._recv()
        head, _, rest = buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {rest[:300]!r}")
        while not rest:
            rest += self._recv()
        first_byte = time.perf_counter() - started
        headers = head.lower()
        if b"transfer-encoding: chunked" in headers:
            while not rest.endswith(b"0\r\n\r\n"):
                rest += self._recv()
        else:
            length = int(headers.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            while len(rest) < length:
                rest += self._recv()
        total = time.perf_counter() - started
        return Timing(first_byte, total, rest.count(b"data: "))

    def _recv(self) -> bytes:
        data = self._sock.recv(262_144)
        if not data:
            raise RuntimeError("the server closed the connection")
        return data


def measure(
    direct: Connection, relay: Connection, path: str, body: bytes, rounds: int
) -> tuple[list[Timing], list[Timing]]:
    """Time `rounds` pairs of the same request, direct then through the relay, then swapped."""
    direct_times: list[Timing] = []
    relay_times: list[Timing] = []
    for round_number in range(rounds):
        pair = [(direct, direct_times), (relay, relay_times)]
        for connection, times in pair if round_number % 2 == 0 else reversed(pair):
            times.append(connection.post(path, body))
    return direct_times, relay_times


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) process `pid` has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median_ms(values: list[float]) -> float:
    """Return the median of `values` (seconds) in milliseconds."""
    return statistics.median(values) * 1000


def per_chunk(times: list[Timing]) -> float:
    """Return the median seconds per event between a stream's first and last byte."""
    return statistics.median((t.total - t.first_byte) / max(t.events - 1, 1) for t in times)


def verdict(value: float, target: float) -> str:
    """Say whether `value` meets its target (lower is better)."""
    return "meets" if value <= target else "misses"


def main() -> int:
    """Run the benchmark and print the three figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300, help="pairs per figure (default 300)")
    parser.add_argument("--http", choices=("h11", "httptools"), default="h11")
    parser.add_argument("--tokens", type=int, default=200, help="stream length (default 200)")
    parser.add_argument(
        "--token-delay-ms",
        default="0",
        help="the upstream's pause between streamed tokens, as a real model's (default 0)",
    )
    args = parser.parse_args()
    server_args = ("--http", args.http, "--loop", "uvloop")
    chat = "/v1/chat/completions"
    messages = [{"role": "user", "content": "Name three prime numbers."}]
    json_body = json.dumps({"messages": messages}).encode()
    stream_body = json.dumps(
        {"messages": messages, "stream": True, "max_completion_tokens": args.tokens}
    ).encode()
    with ExitStack() as stack:
        upstream_args = (*server_args, "--token-delay-ms", args.token_delay_ms)
        upstream: LiveServer = stack.enter_context(live_server(args=upstream_args))
        env = {"UPSTREAM_BASE_URL": f"{upstream.url}/v1"}
        relay: LiveServer = stack.enter_context(live_server(env, args=server_args))
        direct = Connection(upstream.port)
        through = Connection(relay.port)
        stack.callback(direct.close)
        stack.callback(through.close)
        warm = max(args.rounds // 10, 5)
        measure(direct, through, chat, json_body, warm)
        measure(direct, through, chat, stream_body, warm)
        cpu_before = cpu_seconds(relay.process.pid), cpu_seconds(upstream.process.pid)
        json_direct, json_relay = measure(direct, through, chat, json_body, args.rounds)
        relay_cpu = (cpu_seconds(relay.process.pid) - cpu_before[0]) / args.rounds
        # The upstream answered each request twice: direct and for the relay.
        upstream_cpu = (cpu_seconds(upstream.process.pid) - cpu_before[1]) / (2 * args.rounds)
        stream_direct, stream_relay = measure(direct, through, chat, stream_body, args.rounds)

    json_p50 = median_ms([t.total for t in json_direct])
    json_added = median_ms([t.total for t in json_relay]) - json_p50
    first_direct = median_ms([t.first_byte for t in stream_direct])
    first_added = median_ms([t.first_byte for t in stream_relay]) - first_direct
    chunk_direct, chunk_relay = per_chunk(stream_direct), per_chunk(stream_relay)
    ratio = chunk_relay / chunk_direct
    events = statistics.median(t.events for t in stream_direct)
    print(
        f"airelay dev --upstream (another airelay dev, {args.token_delay_ms} ms between tokens), "
        f"{args.http}+uvloop, {args.rounds} pairs"
    )
    print(
        f"JSON chat, whole answer p50: direct {json_p50:.3f} ms, added by the relay "
        f"{json_added:+.3f} ms (target <= {TARGET_JSON_MS} ms: "
        f"{verdict(json_added, TARGET_JSON_MS)})"
    )
    print(
        f"CPU per JSON call: the relay process {relay_cpu * 1e6:.0f} us (its server, core and "
        f"httpx client), the upstream process {upstream_cpu * 1e6:.0f} us (server, core, model)"
    )
    print(
        f"streamed chat, first byte p50: direct {first_direct:.3f} ms, added by the relay "
        f"{first_added:+.3f} ms (target <= {TARGET_FIRST_BYTE_MS} ms: "
        f"{verdict(first_added, TARGET_FIRST_BYTE_MS)})"
    )
    print(
        f"streamed chat, per chunk ({events:.0f} events): direct {chunk_direct * 1e6:.1f} us, "
        f"relay {chunk_relay * 1e6:.1f} us, ratio {ratio:.2f}x (target <= "
        f"{TARGET_CHUNK_RATIO}x: {verdict(ratio, TARGET_CHUNK_RATIO)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
