"""A caller sends back the assistant message the SDK returned: the chat body accepts it."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionMessage,
    ChatCompletionMessageParam,
    ParsedChatCompletionMessage,
)
from pydantic import BaseModel

from airelay.hosts.local import build_app
from tests.client import asgi_sdk
from tests.fakes import run

MODEL = "gpt-5.4-mini"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def converse(
    first: dict[str, Any], then: list[ChatCompletionMessageParam]
) -> tuple[ChatCompletionMessage, ChatCompletion]:
    """Ask once, append the returned message object and `then`, and ask again."""

    async def talk() -> tuple[ChatCompletionMessage, ChatCompletion]:
        async with asgi_sdk(build_app({}, log=lambda line: None)) as api:
            messages: list[Any] = [{"role": "user", "content": "Tell me about the sea"}]
            answer = await api.chat.completions.create(model=MODEL, messages=messages, **first)
            message = answer.choices[0].message
            messages.append(message)
            for extra in then:
                if extra["role"] == "tool":
                    assert message.tool_calls
                    extra = {**extra, "tool_call_id": message.tool_calls[0].id}
                messages.append(extra)
            return message, await api.chat.completions.create(
                model=MODEL, messages=messages, **first
            )

    return run(talk())


def test_a_second_turn_after_the_returned_message_is_answered() -> None:
    sent, answer = converse({}, [{"role": "user", "content": "And the waves?"}])
    assert sent.annotations == []
    assert answer.choices[0].message.content


def test_a_tool_loop_that_appends_the_returned_message_is_answered() -> None:
    tool_result: ChatCompletionMessageParam = {
        "role": "tool",
        "tool_call_id": "replaced",
        "content": '{"sky": "clear"}',
    }
    sent, answer = converse({"tools": [WEATHER], "tool_choice": "required"}, [tool_result])
    assert sent.tool_calls
    assert answer.choices[0].finish_reason == "stop"
    assert answer.choices[0].message.content


def test_a_message_with_citations_goes_back_with_them() -> None:
    sent, answer = converse(
        {"web_search_options": {}}, [{"role": "user", "content": "Say more about it"}]
    )
    assert answer.choices[0].message.content
    assert sent.annotations


class Sea(BaseModel):
    sea: str


# The SDK's own dump of the message it parsed warns (its `parsed` is typed None when sent).
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
def test_a_parsed_message_goes_back_with_what_the_sdk_parsed() -> None:
    async def talk() -> tuple[ParsedChatCompletionMessage[Sea], Sea | None]:
        async with asgi_sdk(build_app({}, log=lambda line: None)) as api:
            messages: list[Any] = [{"role": "user", "content": "Tell me about the sea"}]
            first = await api.chat.completions.parse(
                model=MODEL, messages=messages, response_format=Sea
            )
            messages += [first.choices[0].message, {"role": "user", "content": "More"}]
            again = await api.chat.completions.parse(
                model=MODEL, messages=messages, response_format=Sea
            )
            return first.choices[0].message, again.choices[0].message.parsed

    sent, parsed = run(talk())
    assert sent.parsed is not None
    assert parsed is not None
