"""End to end over raw HTTP: curl and a streaming reader against `airelay dev`."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from airelay.core.sse import Decoder
from tests.live_server import LiveServer, live_server

pytestmark = pytest.mark.e2e
CHAT = {
    "messages": [{"role": "user", "content": "one two three four five six seven eight"}],
    "stream": True,
}


@pytest.fixture(scope="module")
def slow_server() -> Iterator[LiveServer]:
    """Run a relay whose local model pauses 50 ms between tokens."""
    with live_server(args=("--token-delay-ms", "50")) as running:
        yield running


def curl_json(url: str, body: str, *options: str) -> str:
    """POST `body` as JSON with curl and return what it printed; skip if curl is missing."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    command = ["curl", "-sS", *options, url, "-H", "content-type: application/json"]
    result = subprocess.run(
        [*command, "--data-binary", body], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def test_curl_streams_sse_with_no_buffering_headers(server: LiveServer) -> None:
    output = curl_json(f"{server.url}/v1/chat/completions", json.dumps(CHAT), "-N", "-D", "-")
    # Universal newlines turn the header block's CRLFs into LFs.
    head, _, body = output.partition("\n\n")
    headers = head.lower()
    assert "content-type: text/event-stream" in headers
    assert "cache-control: no-cache" in headers
    assert "content-length" not in headers
    assert "content-encoding" not in headers
    assert body.rstrip().endswith("data: [DONE]")


def test_curl_gets_openai_error_for_invalid_json(server: LiveServer) -> None:
    output = curl_json(f"{server.url}/v1/responses", "{not json", "-w", "\n%{http_code}")
    body, _, status = output.rpartition("\n")
    assert status == "400"
    assert json.loads(body)["error"]["code"] == "invalid_json"


def test_first_event_arrives_before_the_stream_ends(slow_server: LiveServer) -> None:
    decoder = Decoder()
    with httpx.stream(
        "POST", f"{slow_server.url}/v1/chat/completions", json=CHAT, timeout=30
    ) as response:
        reads = response.iter_raw()
        first = decoder.decode(next(reads))
        rest = [event for chunk in reads for event in decoder.decode(chunk)]
    # The first network read holds the opening event(s) only: had the host buffered the
    # stream, one read would have held everything up to [DONE].
    assert first
    assert all(event.data != "[DONE]" for event in first)
    assert rest[-1].data == "[DONE]"


def test_unknown_path_and_wrong_method_over_http(server: LiveServer) -> None:
    missing = httpx.get(f"{server.url}/v2/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = httpx.delete(f"{server.url}/v1/responses")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST, OPTIONS"


def test_health_reports_the_version(server: LiveServer) -> None:
    from airelay import __version__

    health = httpx.get(f"{server.url}/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": __version__}
