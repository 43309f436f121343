"""The two servers the HTTP stack benchmark compares, each a process on a loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import free_port, stop

BENCH = Path(__file__).resolve().parent
# uvicorn's --http and --loop, joined by "+".
STACKS = ("h11+asyncio", "httptools+uvloop")
# `airelay dev` keyless, as a developer runs it.
KEYLESS = {"API_KEYS": "", "ALLOW_ANONYMOUS": "true"}


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
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH.parent / "src"), str(BENCH)])}
    if name == "bare":
        command = ["-m", "uvicorn", "bare_app:app", *common, "--no-access-log"]
        command += ["--log-level", "warning"]
        env["BARE_ANSWERS"] = str(answers)
    else:
        empty = workdir / "empty.vars"
        empty.write_text("", encoding="utf-8")
        # Its JSON log line per request goes to stderr.
        command = ["-m", "airelay", "dev", *common, "--env-file", str(empty)]
        env.update(KEYLESS)
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
