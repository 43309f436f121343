"""CPU per request where it is paid for: `airelay dev` next to a bare ASGI app on the same
uvicorn stack, and the Worker's CPU estimated from the core in CPython and the glue in Pyodide.

    .venv/bin/python bench/http_stack.py [--duration S] [--repeat N] [--stacks h11+asyncio,...]

Per stack (h11+asyncio, httptools+uvloop) and route (chat, streamed chat, streamed responses):
server CPU per request (from /proc/<pid>/stat during a wrk run at c=32), req/s at c=32, p50/p99
of whole answers and time to first SSE byte at c=1 (a blocking-socket client), the per-chunk
cost of streams (CPU slope between a short and a long reply), and airelay against the bare app;
then, in process, both apps' first byte just after sleeping and right after that.
Both servers run side by side with the same interpreter, parser, loop and no access log, and
the rounds alternate between them; figures are medians over the rounds.
Needs `wrk` (Debian package wrk). Worker estimate: core (in process, no HTTP, canned backend)
x the Pyodide/CPython factor bench/glue_pyodide.py measures + the glue's own Pyodide CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.live_server import free_port, stop  # noqa: E402

from airelay.backends.local import LocalModel  # noqa: E402
from airelay.cli import build_app  # noqa: E402
from airelay.core.app import handle  # noqa: E402
from airelay.core.endpoints import ENDPOINTS  # noqa: E402
from airelay.core.types import (  # noqa: E402
    BackendResult,
    JsonResult,
    LogRecord,
    Platform,
    Request,
    StreamResult,
)
from airelay.hosts.static import App  # noqa: E402

STACKS = ("h11+asyncio", "httptools+uvloop")
KEY = "sk-bench-0123456789"
SHORT = "Name three prime numbers."
LONG = " ".join(["Name three prime numbers and say why one is not a prime at all."] * 6)


@dataclass(frozen=True)
class Scenario:
    """One route and body the benchmark sends."""

    name: str
    path: str
    stream: bool

    def body(self, prompt: str) -> bytes:
        """Return the request body with `prompt` as the user's turn."""
        data: dict[str, Any]
        if self.path.endswith("/responses"):
            data = {"model": "gpt-5.4-pro", "input": prompt}
        else:
            data = {"model": "gpt-5.4-mini", "messages": [{"role": "user", "content": prompt}]}
        if self.stream:
            data["stream"] = True
        return json.dumps(data, separators=(",", ":")).encode()


SCENARIOS = (
    Scenario("chat", "/v1/chat/completions", False),
    Scenario("chat stream", "/v1/chat/completions", True),
    Scenario("responses stream", "/v1/responses", True),
)
BINDING = {e.path: e.model_route.model.binding_id for e in ENDPOINTS if e.model_route}


# --- canned answers: what the local model says, for the bare app and the core's fake backend ---


def canned(scenario: Scenario, prompt: str) -> BackendResult:
    """Return the local model's answer to `scenario`'s body, streams read out to a list."""
    inputs = {k: v for k, v in json.loads(scenario.body(prompt)).items() if k != "model"}

    async def answer() -> BackendResult:
        result = await LocalModel().run(BINDING[scenario.path], inputs, {})
        if isinstance(result, StreamResult):
            stream: AsyncIterator[bytes] = result.stream  # type: ignore[assignment]
            return StreamResult([event async for event in stream])
        # Parsed and with its bytes, as the Worker glue hands an answer over too.
        assert result.body is not None
        return result

    return asyncio.run(answer())


class CannedBackend:
    """A backend answering at once with a canned answer or stream."""

    def __init__(self, result: BackendResult) -> None:
        self._result = result

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Return the canned answer; a stream is replayed from its list of events."""
        if isinstance(self._result, StreamResult):
            events: list[bytes] = self._result.stream  # type: ignore[assignment]
            return StreamResult(_replay(events))
        return self._result


async def _replay(events: list[bytes]) -> AsyncIterator[bytes]:
    for event in events:
        yield event


def answers_file(directory: Path, prompts: tuple[str, ...]) -> Path:
    """Write the bare app's answers to each scenario and prompt, and return the file."""
    answers: dict[str, Any] = {}
    for scenario in SCENARIOS:
        for prompt in prompts:
            result = canned(scenario, prompt)
            # Told apart by the body's length: no parsing in the baseline.
            key = f"{scenario.path} {scenario.stream} {len(scenario.body(prompt))}"
            if isinstance(result, JsonResult):
                assert result.body is not None
                answers[key] = {"json": result.body.decode()}
            else:
                events: list[bytes] = result.stream  # type: ignore[assignment]
                answers[key] = {"events": [event.decode() for event in events]}
    path = directory / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


def chunks_of(scenario: Scenario, prompt: str) -> int:
    """Return how many SSE events the answer to `prompt` has (1 for a JSON answer)."""
    result = canned(scenario, prompt)
    return len(result.stream) if isinstance(result, StreamResult) else 1  # type: ignore[arg-type]


# --- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process on a loopback port."""

    name: str
    process: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        """Return the process's user + system CPU time so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # Fields 14 and 15 of proc(5), utime and stime; the split drops the first two.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve(name: str, stack: str, workdir: Path, answers: Path) -> Iterator[Server]:
    """Run the bare app or `airelay dev` on `stack` until the block ends."""
    http, loop = stack.split("+")
    port = free_port()
    common = ["--port", str(port), "--http", http, "--loop", loop]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(BENCH)])}
    if name == "bare":
        command = ["-m", "uvicorn", "bare_app:app", *common, "--no-access-log"]
        command += ["--log-level", "warning"]
        env["BARE_ANSWERS"] = str(answers)
    else:
        empty = workdir / "empty.vars"
        empty.write_text("", encoding="utf-8")
        # Keyless, as a developer runs it; its JSON log line per request goes to stderr.
        command = ["-m", "airelay", "dev", *common, "--env-file", str(empty)]
        env.update({"API_KEYS": "", "ALLOW_ANONYMOUS": "true"})
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(name, process, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} on {stack} exited with status {process.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} on {stack} did not start")
            time.sleep(0.05)
        yield server
    finally:
        stop(process)


# --- load: wrk at c=32, a blocking-socket client at c=1 ------------------------------------------

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[%s]==]
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%%d,"duration_us":%%d,"errors":%%d}\\n',
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk(
    server: Server, path: str, body: bytes, duration: int, workdir: Path
) -> tuple[float, float]:
    """Load `server` at c=32; return (req/s, server CPU microseconds per request)."""
    script = workdir / "post.lua"
    script.write_text(WRK_SCRIPT % body.decode(), encoding="utf-8")
    seconds = max(1, duration)  # wrk counts whole seconds
    command = ["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", str(script)]
    cpu = server.cpu_seconds()
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{server.port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    used = server.cpu_seconds() - cpu
    summary = json.loads(out.strip().splitlines()[-1])
    if summary["errors"] or not summary["requests"]:
        raise RuntimeError(f"wrk against {server.name} {path}: {summary}")
    rate = summary["requests"] / (summary["duration_us"] / 1e6)
    return rate, used / summary["requests"] * 1e6


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


# --- one stack -----------------------------------------------------------------------------------


@dataclass
class Figures:
    """Rounds of one metric for the bare app and airelay."""

    bare: list[float] = field(default_factory=list)
    airelay: list[float] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        """Record one round's value for `name`'s server."""
        getattr(self, name).append(value)

    def medians(self) -> tuple[float, float]:
        """Return the median of each side."""
        return statistics.median(self.bare), statistics.median(self.airelay)


def run_stack(stack: str, args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, Figures]]:
    """Measure every scenario on one stack; return {scenario: {metric: Figures}}."""
    results: dict[str, dict[str, Figures]] = {
        s.name: {m: Figures() for m in ("cpu", "rps", "p50", "p99", "ttfb", "chunk")}
        for s in SCENARIOS
    }
    answers = answers_file(workdir, (SHORT, LONG))
    with (
        serve("bare", stack, workdir, answers) as bare,
        serve("airelay", stack, workdir, answers) as relay,
    ):
        for scenario in SCENARIOS:
            body, short = scenario.body(LONG), scenario.body(SHORT)
            extra = chunks_of(scenario, LONG) - chunks_of(scenario, SHORT)
            figures = results[scenario.name]
            for _ in range(args.repeat):
                for server in (bare, relay):
                    rate, cpu = wrk(server, scenario.path, body, args.duration, workdir)
                    figures["rps"].add(server.name, rate)
                    figures["cpu"].add(server.name, cpu)
                    timed = latency(server, scenario.path, body, args.requests)
                    for metric in ("p50", "p99", "ttfb"):
                        figures[metric].add(server.name, timed[metric])
                    if scenario.stream:
                        # Per-chunk cost: the CPU slope between a short and a long reply,
                        # measured one right after the other so that both see the same load.
                        _, short_cpu = wrk(server, scenario.path, short, args.duration, workdir)
                        figures["chunk"].add(server.name, (cpu - short_cpu) / extra)
    return results


def print_stack(stack: str, results: dict[str, dict[str, Figures]]) -> None:
    """Print one stack's table."""
    print(f"\n{stack}  (medians; bare | airelay | airelay vs bare)")
    rows = (
        ("cpu", "CPU us/request (c=32)", "{:.0f}", "ratio"),
        ("rps", "req/s (c=32)", "{:.0f}", "ratio"),
        ("p50", "p50 ms (c=1)", "{:.3f}", "added"),
        ("p99", "p99 ms (c=1)", "{:.3f}", "added"),
        ("ttfb", "first byte ms (c=1)", "{:.3f}", "added"),
        ("chunk", "CPU us/chunk", "{:.1f}", "ratio"),
    )
    for scenario in SCENARIOS:
        print(f"  {scenario.name}")
        for metric, label, fmt, compare in rows:
            figures = results[scenario.name][metric]
            if not figures.bare or (metric in ("ttfb", "chunk") and not scenario.stream):
                continue
            bare, relay = figures.medians()
            versus = f"{relay / bare:.2f}x" if compare == "ratio" else f"{relay - bare:+.3f} ms"
            print(f"    {label:<24}{fmt.format(bare):>10}{fmt.format(relay):>10}  {versus}")


# --- what sleeping between requests costs -------------------------------------------------------

# At c=1 the server sleeps while the client reads an answer and sends the next request. How long
# depends on the client; 1 ms is a stand-in, long enough on a shared virtual machine for the
# code's caches to go cold.
ASLEEP_S = 0.001


def _scope(path: str, body: bytes) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
    headers.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def first_byte_cpu(app: App, path: str, body: bytes) -> float:
    """Return the CPU microseconds from calling `app` to its first body message, in process."""
    scope = _scope(path, body)
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status: list[int] = []
    first: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        # As a server does once the body is read: nothing more until the client leaves, which
        # here it never does (the app cancels its disconnect watcher when it is done).
        await asyncio.get_running_loop().create_future()
        raise AssertionError("unreachable")

    async def send(message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif not first:
            first.append(time.process_time_ns())

    started = time.process_time_ns()
    await app(scope, receive, send)
    if status != [200]:
        raise RuntimeError(f"{path} answered {status} in process")
    return (first[0] - started) / 1e3


def in_process_apps(workdir: Path) -> dict[str, App]:
    """Return the bare app and `airelay dev`'s app as its server builds it, log line unrendered."""
    spec = importlib.util.spec_from_file_location("bare_app", BENCH / "bare_app.py")
    assert spec is not None
    assert spec.loader is not None
    bare = importlib.util.module_from_spec(spec)
    # bare_app reads its answers when it is imported.
    answers = str(answers_file(workdir, (SHORT, LONG)))
    with mock.patch.dict(os.environ, {"BARE_ANSWERS": answers}):
        spec.loader.exec_module(bare)
    # The environment `serve` gives `airelay dev`; the server renders each log line after the
    # answer is out (cli.LogLines), so the first byte never waits for it.
    env = {**os.environ, "API_KEYS": "", "ALLOW_ANONYMOUS": "true"}
    return {"bare": bare.app, "airelay": build_app(env, records=lambda record: None)}


def asleep_cost(args: argparse.Namespace, workdir: Path) -> None:
    """Print the first byte's CPU in process, just after sleeping and right after that request."""
    scenario = SCENARIOS[1]
    body = scenario.body(LONG)
    apps = in_process_apps(workdir)
    asleep: dict[str, list[float]] = {name: [] for name in apps}
    awake: dict[str, list[float]] = {name: [] for name in apps}

    async def measure() -> None:
        # Paired: each request after a sleep is followed at once by one more, and the two apps
        # take turns, so load that comes and goes on the machine weighs on both columns alike.
        for _ in range(args.repeat * args.requests):
            for name, app in apps.items():
                # The loop waits in epoll, as a server between requests does.
                await asyncio.sleep(ASLEEP_S)
                asleep[name].append(await first_byte_cpu(app, scenario.path, body))
                awake[name].append(await first_byte_cpu(app, scenario.path, body))

    asyncio.run(measure())
    print("\nSleeping between requests, as at c=1 (in process, no HTTP; medians)")
    print(f"  first byte of a {scenario.name}, CPU us")
    print(f"    {'':<24}{'back to back':>14}{f'after {ASLEEP_S * 1e3:g} ms asleep':>22}")
    warm = {name: statistics.median(times) for name, times in awake.items()}
    cold = {name: statistics.median(times) for name, times in asleep.items()}
    for name in apps:
        ratio = f"({cold[name] / warm[name]:.1f}x)"
        print(f"    {name:<24}{warm[name]:>14.0f}{cold[name]:>22.0f}  {ratio}")
    added_warm, added_cold = warm["airelay"] - warm["bare"], cold["airelay"] - cold["bare"]
    print(f"    {'airelay - bare':<24}{added_warm:>14.0f}{added_cold:>22.0f}")


# --- the Worker estimate ----------------------------------------------------------------------


def core_cpu(scenario: Scenario, rounds: int, n: int) -> float:
    """Return the core's CPU microseconds per request on CPython: in process, no HTTP."""
    result = canned(scenario, LONG)
    env = {"API_KEYS": KEY, "AI_GATEWAY_ID": "default"}
    # The line is rendered, as the Worker's log (print_line) renders it, and then dropped.
    platform = Platform(backend=CannedBackend(result), env=env, log=_render)
    body = scenario.body(LONG)
    headers = (
        ("content-type", "application/json"),
        ("content-length", str(len(body))),
        ("authorization", f"Bearer {KEY}"),
    )

    async def measure() -> list[float]:
        times = []
        for _ in range(rounds + 1):
            started = time.process_time_ns()
            for _ in range(n):
                # A stream is left unread: the Worker hands it on untouched, so the core's work
                # ends when it returns the response.
                response = await handle(Request("POST", scenario.path, headers, body), platform)
                assert response.status == 200, response.body
            times.append((time.process_time_ns() - started) / n / 1e3)
        return times[1:]  # the first round warms up

    # The least-disturbed round, as for the glue (bench/glue_pyodide.py).
    return min(asyncio.run(measure()))


def _render(record: LogRecord) -> None:
    record.line()


def pyodide_runtimes() -> list[str | None]:
    """Return the Pyodide runtimes glue_pyodide.py can be asked for (None: its only one)."""
    try:
        from tests.pyodide import runner_client
    except ImportError:
        return [None]
    runtimes = getattr(runner_client, "PYODIDE_RUNTIMES", None)
    return list(runtimes) if runtimes else [None]


def glue(runtime: str | None, requests: int) -> dict[str, Any] | str:
    """Run bench/glue_pyodide.py for `runtime`; return its figures, or why there are none."""
    command = [sys.executable, str(BENCH / "glue_pyodide.py"), "--json"]
    command += ["--requests", str(requests)]
    if runtime is not None:
        command += ["--pyodide", runtime]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        return "timed out"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return lines[-1] if lines else f"exit status {done.returncode}"
    try:
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        float(figures["pyodide_us"]["serve"]) / float(figures["cpython_us"]["serve"])
    except (ValueError, KeyError, IndexError, TypeError, ZeroDivisionError):
        return "unreadable output"
    return figures


def worker_estimate(args: argparse.Namespace) -> dict[str, float]:
    """Print the core's CPython CPU per route and the Worker estimate per Pyodide runtime."""
    chat_ms: dict[str, float] = {}
    core = {s.name: core_cpu(s, 5, args.core_requests) for s in SCENARIOS}
    print("\nWorker CPU estimate (core: in process, canned backend, CPython; glue: Pyodide)")
    for name, micros in core.items():
        print(f"  core {name:<20}{micros:>8.0f} us CPython")
    runtimes = pyodide_runtimes() if args.pyodide_requests > 0 else []
    if not runtimes:
        print("  Pyodide: n/a (skipped)")
    for runtime in runtimes:
        figures = glue(runtime, args.pyodide_requests)
        label = runtime or "default"
        if isinstance(figures, str):
            print(f"  Pyodide {label}: n/a ({figures})")
            continue
        glue_us = float(figures["pyodide_us"]["serve"])
        glue_factor = glue_us / float(figures["cpython_us"]["serve"])
        workload = figures.get("core_workload_us")
        version = figures.get("pyodide", label)
        print(f"  Pyodide {version}: glue {glue_us:.0f} us in Pyodide")
        if "await_us" in figures:
            awaits, await_us = int(figures["serve_awaits"]), float(figures["await_us"])
            print(
                f"    of which awaiting {awaits} JS promises: {awaits * await_us:.0f} us"
                f" ({await_us:.0f} us each, Pyodide's floor)"
            )
        if workload:
            # The core's own code in both interpreters: what its microseconds cost in Pyodide.
            factor = float(workload["pyodide"]) / float(workload["cpython"])
            print(f"    core-code factor {factor:.1f} (the core's pydantic-free steps, both runs)")
            print(f"    glue factor {glue_factor:.1f} (JS crossings and awaits: an upper bound)")
        else:
            factor = glue_factor
            print(f"    glue factor {glue_factor:.1f}")
        for name, micros in core.items():
            estimate = micros * factor + glue_us
            if name == "chat":
                chat_ms[str(version)] = estimate / 1000
            line = f"    {name:<22}{estimate / 1000:>6.2f} ms = core x {factor:.1f} + glue"
            if workload:
                bound = micros * glue_factor + glue_us
                line += f"   (at most {bound / 1000:.2f} ms = core x {glue_factor:.1f} + glue)"
            print(line)
    return chat_ms


# The issue's targets (issue 11): (stack, scenario, metric, compare, sense, limit).
TARGETS = (
    ("h11+asyncio", "chat", "rps", "ratio", ">=", 0.5),
    ("h11+asyncio", "chat", "p50", "added", "<=", 0.1),
    ("httptools+uvloop", "chat", "rps", "ratio", ">=", 0.3),
    *(
        (stack, scenario.name, metric, compare, "<=", limit)
        for stack in STACKS
        for scenario in SCENARIOS
        if scenario.stream
        for metric, compare, limit in (("ttfb", "added", 0.1), ("chunk", "ratio", 1.5))
    ),
)


# The bare app's CPU per h11 chat request in issue 11's own table: how fast the machine was
# when the targets' absolute times were set.
ISSUE_BARE_CPU_US = 117


def print_targets(
    stacks: dict[str, dict[str, dict[str, Figures]]], worker: dict[str, float]
) -> None:
    """Print each of the issue's targets next to this run's figure."""
    print("\nTargets (issue 11) against this run")
    if "h11+asyncio" in stacks:
        # No airelay code runs in the bare app: its cost is the machine's speed.
        bare_cpu = stacks["h11+asyncio"]["chat"]["cpu"].medians()[0]
        print(
            f"  (the machine: the bare app takes {bare_cpu:.0f} us CPU per h11 chat request in"
            f" this run, {ISSUE_BARE_CPU_US} us in the issue's table)"
        )
    for stack, scenario, metric, compare, sense, limit in TARGETS:
        if stack not in stacks:
            continue
        bare, relay = stacks[stack][scenario][metric].medians()
        figure = relay / bare if compare == "ratio" else relay - bare
        met = figure >= limit if sense == ">=" else figure <= limit
        shown = f"{figure:.2f}x" if compare == "ratio" else f"{figure:+.3f} ms"
        what = f"{stack} {scenario} {metric} ({compare})"
        print(f"  {what:<48}{shown:>10} {sense} {limit:<4} {'met' if met else 'MISSED'}")
    for version, estimate in worker.items():
        what = f"Worker estimate, chat, Pyodide {version}"
        shown = f"{estimate:.2f} ms"
        print(f"  {what:<48}{shown:>10} <= 1    {'met' if estimate <= 1 else 'MISSED'}")


def machine_load() -> str:
    """Describe how busy the machine is: load averages against cores."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per figure (medians)")
    parser.add_argument("--requests", type=int, default=300, help="c=1 requests per round")
    parser.add_argument(
        "--stacks", default=",".join(STACKS), help="comma-separated stacks, or none"
    )
    parser.add_argument("--core-requests", type=int, default=2000, help="core calls per round")
    parser.add_argument(
        "--pyodide-requests", type=int, default=300, help="glue calls per round (0 skips)"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("http_stack: wrk not found (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    print(f"airelay HTTP stack benchmark: Python {sys.version.split()[0]}; {machine_load()}")
    stacks: dict[str, dict[str, dict[str, Figures]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for stack in [s for s in args.stacks.split(",") if s and s != "none"]:
            missing = [m for m in stack.split("+") if m in ("httptools", "uvloop")]
            if any(importlib.util.find_spec(m) is None for m in missing):
                print(f"\n{stack}: n/a (install uvicorn[standard])")
                continue
            stacks[stack] = run_stack(stack, args, Path(tmp))
            print_stack(stack, stacks[stack])
        if stacks:
            asleep_cost(args, Path(tmp))
    print_targets(stacks, worker_estimate(args))
    print(f"\nafter: {machine_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
