"""End to end over raw HTTP: curl and a streaming reader against each host (`airelay dev`, the
Worker over HTTP)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from airelay.core.sse import Decoder
from tests.live_server import LiveServer

pytestmark = pytest.mark.e2e
CHAT = {
    "messages": [{"role": "user", "content": "one two three four five six seven eight"}],
    "stream": True,
}


def curl_json(url: str, body: str, *options: str) -> str:
    """POST `body` as JSON with curl and return what it printed; skip if curl is missing."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    command = ["curl", "-sS", *options, url, "-H", "content-type: application/json"]
    result = subprocess.run(
        [*command, "--data-binary", body], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def test_curl_streams_sse_with_no_buffering_headers(relay: LiveServer) -> None:
    output = curl_json(f"{relay.url}/v1/chat/completions", json.dumps(CHAT), "-N", "-D", "-")
    # Universal newlines turn the header block's CRLFs into LFs.
    head, _, body = output.partition("\n\n")
    headers = head.lower()
    assert "content-type: text/event-stream" in headers
    assert "cache-control: no-cache" in headers
    assert "content-length" not in headers
    assert "content-encoding" not in headers
    assert body.rstrip().endswith("data: [DONE]")


def test_curl_gets_openai_error_for_invalid_json(relay: LiveServer) -> None:
    output = curl_json(f"{relay.url}/v1/responses", "{not json", "-w", "\n%{http_code}")
    body, _, status = output.rpartition("\n")
    assert status == "400"
    assert json.loads(body)["error"]["code"] == "invalid_json"


def test_first_event_arrives_before_the_stream_ends(slow_relay: LiveServer) -> None:
    decoder = Decoder()
    with httpx.stream(
        "POST", f"{slow_relay.url}/v1/chat/completions", json=CHAT, timeout=30
    ) as response:
        reads = response.iter_raw()
        first = decoder.decode(next(reads))
        rest = [event for chunk in reads for event in decoder.decode(chunk)]
    # The first network read holds the opening event(s) only: had the host buffered the
    # stream, one read would have held everything up to [DONE].
    assert first
    assert all(event.data != "[DONE]" for event in first)
    assert rest[-1].data == "[DONE]"


def test_unknown_path_and_wrong_method_over_http(relay: LiveServer) -> None:
    missing = httpx.get(f"{relay.url}/v2/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = httpx.delete(f"{relay.url}/v1/responses")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST, OPTIONS"


def test_health_reports_the_version(relay: LiveServer) -> None:
    from airelay import __version__

    health = httpx.get(f"{relay.url}/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": __version__}


# --- hostile input that reaches a host's HTTP layer ----------------------------------------------

OVER_LIMIT = 1_048_576 + 1  # the default MAX_BODY_BYTES, plus one


def test_a_declared_body_over_the_limit_gets_its_413_before_the_body_is_read(
    relay: LiveServer,
) -> None:
    # The answer comes before the body is read; the host must still deliver it whole rather
    # than reset the connection (Node's Readable.toWeb destroys the socket on cancel).
    response = httpx.post(
        f"{relay.url}/v1/chat/completions",
        content=b"x" * OVER_LIMIT,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_chunked_body_over_the_limit_gets_413(relay: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(OVER_LIMIT // 65_536 + 1):
            yield b"x" * 65_536

    response = httpx.post(
        f"{relay.url}/v1/responses",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_chunked_body_in_small_pieces_is_read_whole(relay: LiveServer) -> None:
    body = json.dumps({"model": "gpt-5.4-pro", "input": "small pieces"}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    response = httpx.post(
        f"{relay.url}/v1/responses",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 200
    assert "small pieces" in response.json()["output"][-1]["content"][0]["text"]


def test_a_client_leaving_mid_stream_leaves_the_host_serving(slow_relay: LiveServer) -> None:
    with httpx.stream(
        "POST", f"{slow_relay.url}/v1/chat/completions", json=CHAT, timeout=30
    ) as response:
        first = next(response.iter_raw())
    assert first.startswith(b"data: ")
    # The stream was cancelled mid-way; the next caller is answered in full.
    again = httpx.post(
        f"{slow_relay.url}/v1/chat/completions",
        json={**CHAT, "stream": False},
        timeout=30,
    )
    assert again.status_code == 200
    assert again.json()["choices"][0]["finish_reason"] == "stop"


def test_a_json_answer_carries_its_length_and_a_stream_none(relay: LiveServer) -> None:
    answer = httpx.post(f"{relay.url}/v1/chat/completions", json={**CHAT, "stream": False})
    assert answer.headers["content-length"] == str(len(answer.content))
    assert "transfer-encoding" not in answer.headers
    with httpx.stream("POST", f"{relay.url}/v1/chat/completions", json=CHAT) as streamed:
        assert "content-length" not in streamed.headers
        assert streamed.headers["transfer-encoding"] == "chunked"
