"""The Worker over HTTP (scripts/worker-pyodide.mjs): what the bridge to Pyodide must do as
workerd does, beyond what the two-host suites check: one isolate serving requests at once,
a client's departure cancelling the upstream, variables from `.dev.vars`."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.live_server import (
    ROOT,
    WORKER_SCRIPT,
    WORKER_START_TIMEOUT_S,
    LiveServer,
    require_worker,
    worker_server,
)

pytestmark = pytest.mark.pyodide

CHAT = {"messages": [{"role": "user", "content": "one two three four five six"}], "stream": True}
CANCELLED_LINE = "local upstream: stream cancelled"
KEY = "sk-worker-http-0123456789"


@pytest.mark.parametrize("slow_relay", ["worker"], indirect=True)
def test_one_isolate_answers_a_second_request_while_a_stream_is_open(
    slow_relay: LiveServer,
) -> None:
    url = f"{slow_relay.url}/v1/chat/completions"
    with httpx.stream("POST", url, json=CHAT, timeout=30) as first:
        chunks = first.iter_raw()
        opening = next(chunks)
        # The first stream is still open (its model pauses between tokens); another
        # request on the same isolate is answered whole meanwhile.
        second = httpx.post(url, json={**CHAT, "stream": False}, timeout=30)
        rest = b"".join(chunks)
    assert opening.startswith(b"data: ")
    assert second.status_code == 200
    assert rest.rstrip().endswith(b"data: [DONE]")


@pytest.mark.parametrize("slow_relay", ["worker"], indirect=True)
def test_a_client_leaving_mid_stream_cancels_the_upstream(slow_relay: LiveServer) -> None:
    before = slow_relay.log().count(CANCELLED_LINE)
    url = f"{slow_relay.url}/v1/chat/completions"
    with httpx.stream("POST", url, json=CHAT, timeout=30) as response:
        next(response.iter_raw())
    assert slow_relay.wait_for_output(CANCELLED_LINE, before + 1) == before + 1


@pytest.fixture(scope="module")
def from_dev_vars(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Run the Worker with its variables in a `.dev.vars` file, as `wrangler dev` reads it."""
    require_worker()
    dev_vars = tmp_path_factory.mktemp("worker") / ".dev.vars"
    dev_vars.write_text(f'# keys\nexport API_KEYS="{KEY}"\nMAX_BODY_BYTES=100 # small\n')
    with worker_server(args=("--env-file", str(dev_vars))) as running:
        yield running


def test_the_worker_reads_dev_vars_over_wrangler_toml(from_dev_vars: LiveServer) -> None:
    url = f"{from_dev_vars.url}/v1/responses"
    assert httpx.post(url, json={"input": "x"}).status_code == 401
    keyed = {"authorization": f"Bearer {KEY}"}
    assert httpx.post(url, json={"input": "x"}, headers=keyed).status_code == 200
    too_big = httpx.post(url, json={"input": "x" * 200}, headers=keyed)
    assert too_big.status_code == 413
    assert "100 bytes" in too_big.json()["error"]["message"]


def test_the_worker_prints_one_start_line_with_its_url(from_dev_vars: LiveServer) -> None:
    started = [line for line in from_dev_vars.output if "http://" in line]
    assert started == [
        f"airelay Worker in Pyodide 314.0.7 (Python 3.14.2): {from_dev_vars.url}/v1\n"
    ]
    assert KEY not in from_dev_vars.log()


def test_the_worker_prints_its_access_line_before_its_url(from_dev_vars: LiveServer) -> None:
    assert "access: 1 API key(s) from API_KEYS\n" in from_dev_vars.output


@pytest.fixture(scope="module")
def as_documented() -> Iterator[LiveServer]:
    """Run the Worker with wrangler.toml's variables only: ALLOW_ANONYMOUS="false", no key."""
    require_worker()
    with worker_server() as running:
        yield running


def test_a_worker_nobody_may_call_says_so_and_how_to_fix_it(as_documented: LiveServer) -> None:
    (line,) = [line for line in as_documented.output if line.startswith("access:")]
    assert line.startswith("access: locked")
    assert "cp .dev.vars.example .dev.vars" in line
    assert "--var ALLOW_ANONYMOUS=true" in line
    answer = httpx.get(f"{as_documented.url}/v1/models")
    assert answer.json()["error"]["code"] == "misconfigured"


def test_a_method_the_fetch_standard_refuses_gets_an_openai_shaped_400(
    as_documented: LiveServer,
) -> None:
    answer = httpx.request("TRACE", f"{as_documented.url}/v1/models")
    assert answer.status_code == 400
    assert "TRACE" in answer.json()["error"]["message"]


def test_headers_over_16_kb_get_an_openai_shaped_431(as_documented: LiveServer) -> None:
    answer = httpx.get(f"{as_documented.url}/health", headers={"x-big": "a" * 20_000})
    assert answer.status_code == 431
    assert "16 KB" in answer.json()["error"]["message"]


def test_a_busy_port_stops_the_start_in_one_line(as_documented: LiveServer) -> None:
    from tests.pyodide.runner_client import locate

    pieces = locate("314.0.7")
    node = pieces if isinstance(pieces, str) else pieces.node
    port = str(urlsplit(as_documented.url).port)
    command = [node, "--experimental-wasm-stack-switching", str(WORKER_SCRIPT)]
    done = subprocess.run(
        [*command, "--port", port, "--env-file", os.devnull],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WORKER_START_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"worker-pyodide: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(pick another with --port)"
    )
    assert "at " not in done.stderr


def test_package_json_runs_the_worker_with_stack_switching() -> None:
    import json

    root = Path(__file__).resolve().parents[2]
    scripts = json.loads((root / "package.json").read_text())["scripts"]
    assert scripts["dev:pyodide"] == (
        "node --experimental-wasm-stack-switching scripts/worker-pyodide.mjs"
    )
