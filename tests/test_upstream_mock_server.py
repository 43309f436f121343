"""`airelay dev` in front of llm-mock-api, an OpenAI-compatible mock server of another project's.

The mock runs as its own process on loopback; the openai SDK drives the relay in front of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from tests.live_server import LiveServer, free_port, live_server, stop

pytestmark = pytest.mark.e2e
TEXT = "Hello from the mock"
READY_LINE = "Listening on"
START_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run llm-mock-api on a free loopback port: every prompt answered with TEXT, no latency."""
    port = free_port()
    mock = str(Path(sys.executable).parent / "llm-mock-api")
    options = ["-H", "127.0.0.1", "-p", str(port), "-f", TEXT, "-l", "0", "--log-level", "info"]
    process = subprocess.Popen(
        [mock, "start", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=tmp_path_factory.mktemp("mock"),  # no ./config.json of anyone's
    )
    ready = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if READY_LINE in line:
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(START_TIMEOUT_S), "".join(output)
        assert process.poll() is None, "".join(output)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(process)
        reader.join()
        assert process.stdout is not None
        process.stdout.close()


@pytest.fixture(scope="module")
def relay(mock_url: str) -> Iterator[LiveServer]:
    """Run `airelay dev` relaying to the mock, the chat route under a model name of its own."""
    env = {"UPSTREAM_BASE_URL": mock_url, "UPSTREAM_CHAT_MODEL": "mock-mini"}
    with live_server(env) as running:
        yield running


@pytest.fixture
def client(relay: LiveServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{relay.url}/v1", api_key="unused", max_retries=0) as sdk:
        yield sdk


HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hi"}]


def test_chat_completion_comes_from_the_mock_under_the_routes_upstream_model(
    client: openai.OpenAI,
) -> None:
    completion = client.chat.completions.create(model="gpt-5.4-mini", messages=HELLO)
    assert completion.choices[0].message.content == TEXT
    # The mock echoes the model it was asked for: UPSTREAM_CHAT_MODEL's.
    assert completion.model == "mock-mini"


def test_chat_stream_from_the_mock_reaches_the_sdk_whole(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-5.4-mini",
        messages=HELLO,
        stream=True,
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == TEXT


def test_responses_create_comes_from_the_mock_under_the_route_model(
    client: openai.OpenAI,
) -> None:
    response = client.responses.create(model="gpt-5.4-pro", input="Hi")
    assert response.output_text == TEXT
    assert response.model == "openai/gpt-5.4-pro"


def test_responses_stream_from_the_mock_ends_completed(client: openai.OpenAI) -> None:
    with client.responses.stream(model="gpt-5.4-pro", input="Hi") as stream:
        final = stream.get_final_response()
    assert final.status == "completed"
    assert final.output_text == TEXT


def test_the_relays_own_validation_still_answers_before_the_mock(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-5.4-mini", messages=HELLO, temperature=9)
