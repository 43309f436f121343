"""What sleeping between requests costs: both apps' first byte in process, just after sleeping
and right after that request."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock

from stack_scenarios import LONG, SCENARIOS, answers_file
from stack_servers import KEYLESS

# The one import of the local host's wiring: `airelay dev` builds its app with it.
from airelay.hosts.local import build_app
from airelay.hosts.static import App

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
    spec = importlib.util.spec_from_file_location(
        "bare_app", Path(__file__).with_name("bare_app.py")
    )
    assert spec is not None
    assert spec.loader is not None
    bare = importlib.util.module_from_spec(spec)
    # bare_app reads its answers when it is imported.
    with mock.patch.dict(os.environ, {"BARE_ANSWERS": str(answers_file(workdir))}):
        spec.loader.exec_module(bare)
    # The environment `serve` gives `airelay dev`; the server renders each log line after the
    # answer is out (LogLines, beside build_app), so the first byte never waits for it.
    env = {**os.environ, **KEYLESS}
    return {"bare": bare.app, "airelay": build_app(env, records=lambda record: None)}


def asleep_cost(workdir: Path, pairs: int) -> None:
    """Print the first byte's CPU in process: `pairs` times just after sleeping, then at once."""
    scenario = SCENARIOS[1]
    body = scenario.body(LONG)
    apps = in_process_apps(workdir)
    asleep: dict[str, list[float]] = {name: [] for name in apps}
    awake: dict[str, list[float]] = {name: [] for name in apps}

    async def measure() -> None:
        # Paired: each request after a sleep is followed at once by one more, and the two apps
        # take turns, so load that comes and goes on the machine weighs on both columns alike.
        for _ in range(pairs):
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
