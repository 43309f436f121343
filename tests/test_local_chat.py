"""The local model in the Chat Completions format, checked with the official SDK's types.

Its streams parse with the `openai` SDK's chunk type; its tool calls and structured outputs
with its completion type.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from airelay.backends.local.chat_completion import MINI_SNAPSHOT
from airelay.backends.local.schema_instance import instance
from airelay.backends.local.turn import tokens
from airelay.core.catalog import MINI
from airelay.core.sse import Event
from tests.local_model_support import CHAT_TOOLS, NOW, USER, WEATHER, body, chat, events


def deltas(stream: list[Event]) -> str:
    """Return the text of a chat stream's content deltas."""
    return "".join(
        choice["delta"].get("content") or ""
        for event in stream
        if event.data != "[DONE]"
        for choice in event.json()["choices"]
    )


# --- the object -------------------------------------------------------------------------------


def test_a_chat_completion_parses_strictly_as_the_sdks_chat_completion() -> None:
    completion = ChatCompletion.model_validate(body(MINI.binding_id, chat()), strict=True)
    assert completion.object == "chat.completion"
    assert completion.model == MINI_SNAPSHOT
    assert completion.created == int(NOW)
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.role == "assistant"


def test_the_chat_reply_is_derived_from_the_last_user_turn() -> None:
    inputs = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "first answer"},
            {"role": "user", "content": [{"type": "text", "text": "second   question"}]},
        ]
    }
    content = body(MINI.binding_id, inputs)["choices"][0]["message"]["content"]
    assert "second question" in content
    assert "first question" not in content


def test_chat_usage_counts_the_tokens_of_prompt_and_reply() -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Count  these\nwords please"},
    ]
    data = body(MINI.binding_id, {"messages": messages})
    usage = data["usage"]
    reply = data["choices"][0]["message"]["content"]
    assert usage["prompt_tokens"] == sum(len(tokens(m["content"])) for m in messages)
    assert usage["completion_tokens"] == len(tokens(reply))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


@pytest.mark.parametrize("cap_name", ["max_completion_tokens", "max_tokens"])
def test_a_chat_token_cap_truncates_the_reply_with_finish_reason_length(cap_name: str) -> None:
    full = body(MINI.binding_id, chat())["choices"][0]["message"]["content"]
    data = body(MINI.binding_id, {**chat(), cap_name: 3})
    choice = data["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == "".join(tokens(full)[:3])
    assert data["usage"]["completion_tokens"] == 3


def test_a_cap_above_the_reply_length_changes_nothing() -> None:
    full = body(MINI.binding_id, chat())
    roomy = body(MINI.binding_id, chat(max_completion_tokens=10_000))
    assert roomy["choices"] == full["choices"]
    assert roomy["usage"] == full["usage"]


@pytest.mark.parametrize(
    "response_format",
    [{"type": "json_object"}, {"type": "json_schema", "json_schema": {"name": "r", "schema": {}}}],
    ids=["json_object", "json_schema"],
)
def test_json_mode_replies_with_a_json_object(response_format: dict[str, Any]) -> None:
    data = body(MINI.binding_id, chat(response_format=response_format))
    assert isinstance(json.loads(data["choices"][0]["message"]["content"]), dict)


# --- the stream -------------------------------------------------------------------------------


def test_a_chat_stream_is_chunks_then_done_each_parsing_as_the_sdks_chunk() -> None:
    stream = events(MINI.binding_id, chat())
    assert stream[-1] == Event("message", "[DONE]")
    chunks = [ChatCompletionChunk.model_validate(e.json(), strict=True) for e in stream[:-1]]
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({(c.id, c.created, c.model) for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks].count("stop") == 1
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all("usage" not in e.json() for e in stream[:-1])


def test_a_chat_stream_says_what_the_non_streamed_answer_says() -> None:
    whole = body(MINI.binding_id, chat())
    stream = events(MINI.binding_id, chat())
    assert deltas(stream) == whole["choices"][0]["message"]["content"]
    assert stream[0].json()["id"] == whole["id"]


def test_include_usage_adds_one_usage_chunk_before_done() -> None:
    whole = body(MINI.binding_id, chat())
    stream = events(MINI.binding_id, chat(stream_options={"include_usage": True}))
    *chunks, usage_chunk, done = stream
    assert done.data == "[DONE]"
    assert usage_chunk.json()["choices"] == []
    assert usage_chunk.json()["usage"] == whole["usage"]
    # Every other chunk carries `usage: null`, as OpenAI's do.
    assert all(e.json()["usage"] is None for e in chunks)
    ChatCompletionChunk.model_validate(usage_chunk.json(), strict=True)


def test_a_truncated_chat_stream_ends_with_finish_reason_length() -> None:
    stream = events(MINI.binding_id, chat(max_tokens=2, stream_options={"include_usage": True}))
    finishes = [c["finish_reason"] for e in stream[:-1] for c in e.json()["choices"]]
    assert [f for f in finishes if f] == ["length"]
    assert stream[-2].json()["usage"]["completion_tokens"] == 2
    assert len(tokens(deltas(stream))) == 2


# --- tools and structured outputs -------------------------------------------------------------


def test_chat_with_tool_choice_required_answers_with_a_valid_call() -> None:
    data = body(MINI.binding_id, {"messages": USER, "tools": CHAT_TOOLS, "tool_choice": "required"})
    completion = ChatCompletion.model_validate(data, strict=True)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == instance(WEATHER)  # type: ignore[union-attr]


def test_chat_under_auto_calls_a_tool_only_when_the_user_names_it() -> None:
    plain = body(MINI.binding_id, {"messages": USER, "tools": CHAT_TOOLS})
    assert plain["choices"][0]["finish_reason"] == "stop"
    named = [{"role": "user", "content": "Use get_weather for Paris"}]
    called = body(MINI.binding_id, {"messages": named, "tools": CHAT_TOOLS, "tool_choice": "auto"})
    assert called["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_streams_a_call_as_tool_call_deltas() -> None:
    stream = events(
        MINI.binding_id, {"messages": USER, "tools": CHAT_TOOLS, "tool_choice": "required"}
    )
    chunks = [
        ChatCompletionChunk.model_validate(e.json(), strict=True)
        for e in stream
        if e.data != "[DONE]"
    ]
    arguments = "".join(
        (c.choices[0].delta.tool_calls or [])[0].function.arguments or ""  # type: ignore[union-attr]
        for c in chunks
        if c.choices and c.choices[0].delta.tool_calls
    )
    assert json.loads(arguments) == instance(WEATHER)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_chat_after_a_tool_result_answers_quoting_it() -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": "{}"},
    }
    messages = [
        *USER,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "22 degrees and sunny"},
    ]
    data = body(MINI.binding_id, {"messages": messages, "tools": CHAT_TOOLS, "tool_choice": "auto"})
    assert "22 degrees and sunny" in data["choices"][0]["message"]["content"]
    assert data["choices"][0]["finish_reason"] == "stop"


def test_chat_json_schema_answers_with_an_instance() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "w", "schema": WEATHER, "strict": True}}
    data = body(MINI.binding_id, {"messages": USER, "response_format": fmt})
    assert json.loads(data["choices"][0]["message"]["content"]) == instance(WEATHER)


def test_chat_n_yields_n_choices() -> None:
    data = body(MINI.binding_id, {"messages": USER, "n": 3})
    completion = ChatCompletion.model_validate(data, strict=True)
    assert [c.index for c in completion.choices] == [0, 1, 2]


def test_chat_stop_ends_the_text_before_the_first_stop_sequence() -> None:
    data = body(MINI.binding_id, {"messages": USER, "stop": ["Paris", "weather"]})
    assert data["choices"][0]["message"]["content"] == "You said: What is the "
    assert data["choices"][0]["finish_reason"] == "stop"


def test_chat_with_web_search_options_cites_its_source_in_the_message() -> None:
    inputs = {"messages": USER, "web_search_options": {"search_context_size": "low"}}
    completion = ChatCompletion.model_validate(body(MINI.binding_id, inputs), strict=True)
    message = completion.choices[0].message
    (note,) = message.annotations or []
    citation = note.url_citation
    assert message.content is not None
    assert message.content[citation.start_index : citation.end_index] == citation.title
    assert citation.url.startswith("https://example.com/")
    streamed = events(MINI.binding_id, inputs)
    text = "".join(
        (e.json()["choices"] or [{}])[0].get("delta", {}).get("content") or ""
        for e in streamed
        if e.data != "[DONE]"
    )
    assert text == message.content
