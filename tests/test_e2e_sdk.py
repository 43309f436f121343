"""End to end: the official `openai` SDK against each host (`airelay dev`, the Worker over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from airelay.backends.local.turn import tokens
from tests.client import live_sdk
from tests.live_server import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def client(relay: LiveServer) -> Iterator[openai.OpenAI]:
    """Point an SDK client at the live relay, retries off so errors surface at once."""
    with live_sdk(relay) as sdk:
        yield sdk


def test_chat_completion_answers_from_the_local_model(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-5.4-mini", messages=[{"role": "user", "content": "ping from the SDK"}]
    )
    text = completion.choices[0].message.content
    assert text is not None
    assert "ping from the SDK" in text
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == len(tokens(text))
    assert completion.usage.prompt_tokens == len(tokens("ping from the SDK"))


def test_chat_stream_yields_deltas_then_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="openai/gpt-5.4-mini",
        messages=[{"role": "user", "content": "stream me"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "stream me" in text
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) == len(tokens(text)) > 1
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == len(tokens(text))


def test_responses_create_returns_reasoning_and_message(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gpt-5.4-pro", input="hello responses", reasoning={"effort": "high"}
    )
    assert response.status == "completed"
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert "hello responses" in response.output_text
    assert response.usage is not None
    reasoning = response.usage.output_tokens_details.reasoning_tokens
    assert response.usage.output_tokens == len(tokens(response.output_text)) + reasoning


def test_responses_stream_helper_gives_final_response(client: openai.OpenAI) -> None:
    with client.responses.stream(model="openai/gpt-5.4-pro", input="stream responses") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert len(deltas) > 1
    assert "".join(deltas) == final.output_text
    assert "stream responses" in final.output_text
    assert final.status == "completed"


def test_responses_create_stream_true_ends_with_completed(client: openai.OpenAI) -> None:
    events = list(client.responses.create(model="gpt-5.4-pro", input="raw events", stream=True))
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_sdk_raises_bad_request_for_out_of_range_temperature(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="gpt-5.4-mini", messages=[{"role": "user", "content": "x"}], temperature=2.5
        )
    assert caught.value.param == "temperature"
    assert caught.value.code == "invalid_value"


def test_sdk_raises_bad_request_naming_an_unknown_field(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-5.4-pro", input="x", extra_body={"bogus": 1})
    assert caught.value.param == "bogus"
    assert "bogus" in str(caught.value)


def test_sdk_raises_not_found_for_another_model(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert caught.value.code == "model_not_found"


def test_sdk_lists_both_models(client: openai.OpenAI) -> None:
    ids = {model.id for model in client.models.list()}
    assert ids == {"openai/gpt-5.4-mini", "openai/gpt-5.4-pro"}
