"""Start a relay as a real process on a free loopback port, and stop it: `airelay dev` (the
local host) or the Worker over HTTP (scripts/worker-pyodide.mjs: src/entry.py in Pyodide 314)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

READY_LINE = "Uvicorn running on"
START_TIMEOUT_S = 60
ROOT = Path(__file__).resolve().parent.parent
WORKER_SCRIPT = ROOT / "scripts" / "worker-pyodide.mjs"
WORKER_READY_LINE = "airelay Worker in Pyodide"
# Booting Pyodide and running the Worker's global scope takes 10 to 30 s on a busy machine.
WORKER_START_TIMEOUT_S = 180
# wrangler.toml's rate limit (60 a minute per caller) would stop a suite's anonymous caller;
# `airelay dev` has no limiter unless RATE_LIMIT_REQUESTS is set. The binding stays in use.
WORKER_RATE_LIMIT = 1_000_000

# The hosts every end-to-end suite runs against; a test id names its host. The Worker's runs
# are Pyodide runs: `-m "not pyodide"` leaves them out.
HOSTS = ("local", "worker")
HOST_PARAMS = [pytest.param("local"), pytest.param("worker", marks=pytest.mark.pyodide)]


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[Any]) -> None:
    """End a server process: SIGTERM, and SIGKILL if it has not gone in 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class LiveServer:
    """A running `airelay dev` process and everything it printed."""

    process: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)
    host: str = "local"
    printed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Return what the server printed so far."""
        return "".join(self.output)

    def wait_for_output(self, text: str, count: int, timeout: float = 30.0) -> int:
        """Wait until `text` has been printed `count` times (or `timeout`); return how often."""
        with self.printed:
            self.printed.wait_for(lambda: self.log().count(text) >= count, timeout)
            return self.log().count(text)


@contextmanager
def _running(
    command: list[str],
    env: Mapping[str, str] | None,
    cwd: Path | None,
    ready_line: str,
    timeout: float,
) -> Iterator[LiveServer]:
    """Run `command` (which listens on `port`) until the block ends; fail if it does not start."""
    port = int(command[command.index("--port") + 1])
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=child_env,
        cwd=cwd,
    )
    server = LiveServer(process, port)
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with server.printed:
                server.output.append(line)
                server.printed.notify_all()
            if ready_line in line:
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(timeout) or process.poll() is not None:
            raise RuntimeError(f"{command[1]} did not start:\n{server.log()}")
        yield server
    finally:
        stop(process)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def live_server(
    env: Mapping[str, str] | None = None, args: tuple[str, ...] = (), cwd: Path | None = None
) -> Iterator[LiveServer]:
    """Run `python -m airelay dev` until the block ends; fail if it does not start."""
    command = [sys.executable, "-m", "airelay", "dev", "--port", str(free_port()), *args]
    with _running(command, env, cwd, READY_LINE, START_TIMEOUT_S) as server:
        yield server


def worker_missing() -> str | None:
    """Say what the Worker over HTTP lacks here (Node, Pyodide 314, wheels), if anything."""
    from tests.pyodide.runner_client import SETUP_HINT as FETCH_HINT
    from tests.pyodide.runner_client import WHEEL_DIR, Pieces, locate

    pieces = locate("314.0.7")
    if not isinstance(pieces, Pieces):
        return pieces
    if not any(WHEEL_DIR.glob("pydantic_core-*-pyemscripten_2026_0_wasm32.whl")):
        return "no pydantic-core pyemscripten wheel in .cache/wheels: run " + FETCH_HINT
    return None


def require_worker() -> None:
    """Skip (fail under AIRELAY_REQUIRE_PYODIDE=1) when the Worker over HTTP cannot run here."""
    missing = worker_missing()
    if missing is None:
        return
    if os.environ.get("AIRELAY_REQUIRE_PYODIDE") == "1":
        pytest.fail(f"AIRELAY_REQUIRE_PYODIDE=1 but {missing}")
    pytest.skip(missing)


@contextmanager
def worker_server(
    env: Mapping[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[LiveServer]:
    """Run the Worker over HTTP (`npm run dev:pyodide`) with `env` as its variables."""
    from tests.pyodide.runner_client import locate

    pieces = locate("314.0.7")
    node = pieces if isinstance(pieces, str) else pieces.node
    variables = [f"--var={name}={value}" for name, value in (env or {}).items()]
    command = [
        node,
        "--experimental-wasm-stack-switching",
        str(WORKER_SCRIPT),
        "--port",
        str(free_port()),
        "--env-file",
        os.devnull,
        "--rate-limit",
        str(WORKER_RATE_LIMIT),
        *variables,
        *args,
    ]
    with _running(command, None, ROOT, WORKER_READY_LINE, WORKER_START_TIMEOUT_S) as server:
        server.host = "worker"
        yield server


@contextmanager
def relay_server(
    host: str, env: Mapping[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[LiveServer]:
    """Run the relay on `host` ("local" or "worker"), set up alike: keyless unless keys are set."""
    if host == "local":
        with live_server(env=env, args=args) as server:
            yield server
        return
    from airelay.hosts.local import local_env

    require_worker()
    # The variables `airelay dev` gives itself, handed to the Worker as its env.
    with worker_server(local_env(env or {}), args) as server:
        yield server
