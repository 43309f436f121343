"""The local model in the Chat Completions format: a request read, answered whole or streamed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from airelay.backends.local import hosted
from airelay.backends.local.chat_completion import ChatCompletion
from airelay.backends.local.plan import PLAIN, Plan, call_plan
from airelay.backends.local.template import EventTemplate, slot
from airelay.backends.local.turn import check_context, compose, deferred, seed_of, text_of
from airelay.core import sse
from airelay.core.catalog import MINI
from airelay.core.streams import chat_stream_error, ending_in_error
from airelay.core.types import BackendResult, StreamResult


def answer(
    inputs: Mapping[str, Any], clock: Callable[[], float], token_delay: float
) -> BackendResult:
    """Answer a Chat Completions request, whole or as a stream of chunks."""
    messages = inputs.get("messages") or ()
    texts: list[str] = []
    last_user = ""
    for message in messages:
        text = text_of(message.get("content"))
        texts.append(text)
        if message.get("role") == "user":
            last_user = text
    check_context(texts, "messages")
    response_format = inputs.get("response_format") or {}
    cap = inputs.get("max_completion_tokens") or inputs.get("max_tokens")
    stop = inputs.get("stop")
    tool_result = texts[-1] if messages and messages[-1].get("role") == "tool" else None
    plan = PLAIN
    if response_format or stop or tool_result is not None:
        plan = Plan(
            json_mode=response_format.get("type") == "json_object",
            schema=(response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
            if response_format.get("type") == "json_schema"
            else None,
            tool_result=tool_result,
            stop=(stop,) if isinstance(stop, str) else tuple(stop or ()),
            source="response_format.json_schema.schema",
        )
    search = None
    if tool_result is None:
        plan = call_plan(inputs, last_user, chat=True) or plan
        options = inputs.get("web_search_options")
        if plan.call is None and options is not None:
            search = hosted.chat_web_search(options, last_user)
            plan = replace(plan, tool_result=search.result)
    seed = seed_of(MINI.short_id, texts)
    stream = bool(inputs.get("stream"))
    n = inputs.get("n") or 1
    turn = partial(compose, texts, last_user, MINI.short_id, plan, cap, 0, seed, n)
    call = plan.call[0] if plan.call is not None else None
    completion = ChatCompletion(seed, call, deferred(plan, stream, turn), clock(), n, search)
    if stream:
        include_usage = bool((inputs.get("stream_options") or {}).get("include_usage"))
        # Like a real upstream, a stream reports its own failure in its own format.
        return StreamResult(
            ending_in_error(_chunks(completion, include_usage, token_delay), chat_stream_error)
        )
    return completion.result()


async def _chunks(
    completion: ChatCompletion, include_usage: bool, token_delay: float
) -> AsyncIterator[bytes]:
    """Yield the stream's chunks: per choice, its first chunk, its tokens and its end."""
    call = completion.call
    for index in range(completion.n):
        if call is None:
            yield completion.first_text_chunk(include_usage, index)
        else:
            first = {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": completion.call_id,
                        "type": "function",
                        "function": {"name": call, "arguments": ""},
                    }
                ],
            }
            yield sse.encode(completion.chunk(first, None, include_usage, index))
        # Each token's chunk is this one with the token in its slot, encoded once: see
        # EventTemplate.text for the figures.
        delta: dict[str, Any] = (
            {"content": slot("token")}
            if call is None
            else {"tool_calls": [{"index": 0, "function": {"arguments": slot("token")}}]}
        )
        token_chunk = EventTemplate(completion.chunk(delta, None, include_usage, index))
        for piece in completion.turn.reply:
            if token_delay > 0:
                await asyncio.sleep(token_delay)
            yield token_chunk.text(piece)
        yield sse.encode(completion.chunk({}, completion.finish_reason(), include_usage, index))
    if include_usage:
        yield sse.encode(
            {
                **completion.envelope("chat.completion.chunk"),
                "choices": [],
                "usage": completion.usage(),
            }
        )
    yield sse.encode("[DONE]")
