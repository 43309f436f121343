"""Load at c=32 with wrk: req/s, and the server's CPU per request from /proc."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from stack_servers import Server

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
