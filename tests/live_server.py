"""Start `airelay dev` as a real process on a free loopback port, and stop it."""

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

READY_LINE = "Uvicorn running on"
START_TIMEOUT_S = 60


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

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Return what the server printed so far."""
        return "".join(self.output)


@contextmanager
def live_server(
    env: Mapping[str, str] | None = None, args: tuple[str, ...] = (), cwd: Path | None = None
) -> Iterator[LiveServer]:
    """Run `python -m airelay dev` until the block ends; fail if it does not start."""
    port = free_port()
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "airelay", "dev", "--port", str(port), *args],
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
            server.output.append(line)
            if READY_LINE in line:
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(START_TIMEOUT_S) or process.poll() is not None:
            raise RuntimeError(f"airelay dev did not start:\n{server.log()}")
        yield server
    finally:
        stop(process)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
