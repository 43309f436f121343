"""Real Python clients against each host (`airelay dev`, the Worker over HTTP): the openai
SDK's parse helpers and new parameters, and the OpenAI Agents SDK running a function tool on
both routes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from pydantic import BaseModel

from tests.live_server import LiveServer

pytestmark = pytest.mark.clients
HELLO = [{"role": "user", "content": "Hello"}]


class Weather(BaseModel):
    city: str
    degrees: int
    sunny: bool


@pytest.fixture
def client(relay: LiveServer) -> Iterator[openai.OpenAI]:
    """Point an SDK client at the live relay, retries off so errors surface at once."""
    with openai.OpenAI(base_url=f"{relay.url}/v1", api_key="unused", max_retries=0) as sdk:
        yield sdk


def test_chat_completions_parse_returns_the_pydantic_object(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model="gpt-5.4-mini", messages=HELLO, response_format=Weather
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Weather)


def test_responses_parse_returns_the_pydantic_object(client: openai.OpenAI) -> None:
    response = client.responses.parse(model="gpt-5.4-pro", input="Hello", text_format=Weather)
    assert isinstance(response.output_parsed, Weather)


CHAT_PARAMETERS: list[dict[str, Any]] = [
    {"stop": ["zzz"]},
    {"seed": 1},
    {"n": 2},
    {"user": "user-1"},
    {"metadata": {"team": "a"}, "store": False},
    {"parallel_tool_calls": False, "tools": [{"type": "function", "function": {"name": "f"}}]},
    {"logprobs": True, "top_logprobs": 2},
    {"reasoning_effort": "low"},
    {"service_tier": "default"},
    {"prompt_cache_key": "k"},
    {"safety_identifier": "s"},
    {"verbosity": "low"},
]
RESPONSES_PARAMETERS: list[dict[str, Any]] = [
    {"store": False},
    {"include": []},
    {"include": ["reasoning.encrypted_content"], "reasoning": {"context": "all_turns"}},
    {"metadata": {"team": "a"}},
    {"parallel_tool_calls": True},
    {"truncation": "auto"},
    {"user": "user-1"},
    {"safety_identifier": "s"},
    {"prompt_cache_key": "k"},
    {"service_tier": "default"},
    {"previous_response_id": None},
    {"top_logprobs": 0},
]


@pytest.mark.parametrize("fields", CHAT_PARAMETERS, ids=lambda f: ",".join(f))
def test_each_newly_accepted_chat_parameter_is_relayed(
    client: openai.OpenAI, fields: dict[str, Any]
) -> None:
    completion = client.chat.completions.create(model="gpt-5.4-mini", messages=HELLO, **fields)
    assert len(completion.choices) == fields.get("n", 1)


@pytest.mark.parametrize("fields", RESPONSES_PARAMETERS, ids=lambda f: ",".join(f))
def test_each_newly_accepted_responses_parameter_is_relayed(
    client: openai.OpenAI, fields: dict[str, Any]
) -> None:
    response = client.responses.create(model="gpt-5.4-pro", input="Hello", **fields)
    assert response.status == "completed"


# --- the OpenAI Agents SDK --------------------------------------------------------------------

CALLS: list[str] = []


@function_tool
def get_weather(city: str) -> str:
    """Return the weather of a city."""
    CALLS.append(city)
    return "22 degrees and sunny"


def agent(sdk: openai.AsyncOpenAI, api: str) -> Agent[Any]:
    """Return an agent with one function tool on one of the relay's routes."""
    set_tracing_disabled(True)  # nothing leaves loopback
    model = (
        OpenAIResponsesModel(model="gpt-5.4-pro", openai_client=sdk)
        if api == "responses"
        else OpenAIChatCompletionsModel(model="gpt-5.4-mini", openai_client=sdk)
    )
    return Agent(name="weather", instructions="Answer briefly.", model=model, tools=[get_weather])


@pytest.mark.parametrize("api", ["responses", "chat"])
@pytest.mark.parametrize("streamed", [False, True], ids=["run", "run_streamed"])
def test_an_agent_calls_its_tool_and_answers_with_the_result(
    relay: LiveServer, api: str, streamed: bool
) -> None:
    CALLS.clear()
    prompt = "Use get_weather for Paris"

    async def go() -> Any:
        base_url = f"{relay.url}/v1"
        async with openai.AsyncOpenAI(base_url=base_url, api_key="unused", max_retries=0) as sdk:
            if not streamed:
                return (await Runner.run(agent(sdk, api), prompt)).final_output
            result = Runner.run_streamed(agent(sdk, api), prompt)
            async for _ in result.stream_events():
                pass
            return result.final_output

    final = asyncio.run(go())
    assert CALLS
    assert "22 degrees and sunny" in str(final)
