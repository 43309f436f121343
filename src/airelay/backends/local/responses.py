"""The local model in the Responses API format: a request read, answered whole or streamed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from airelay.backends.local import hosted as hosted_tools
from airelay.backends.local.plan import PLAIN, Plan, call_plan
from airelay.backends.local.response_object import ResponseObject
from airelay.backends.local.response_store import ResponseStore, new_response_id
from airelay.backends.local.template import EventTemplate, slot
from airelay.backends.local.turn import (
    check_context,
    compose,
    deferred,
    json_result,
    seed_of,
    text_of,
)
from airelay.core import sse
from airelay.core.catalog import PRO
from airelay.core.streams import ending_in_error, responses_stream_error
from airelay.core.types import BackendResult, StreamResult

_REASONING_TOKENS = {"none": 0, "minimal": 4, "low": 8, "medium": 16, "high": 32, "xhigh": 64}
# A stream's first two events carry the response in progress, encoded once for both: 2.4 us
# an event against 10.5 for sse.encode of the event with the object (timeit).
_STARTED_EVENTS = [
    EventTemplate(
        {"type": kind, "sequence_number": slot("sequence_number"), "response": slot("response")},
        kind,
    )
    for kind in ("response.created", "response.in_progress")
]


def answer(
    inputs: Mapping[str, Any],
    clock: Callable[[], float],
    token_delay: float,
    store: ResponseStore | None = None,
) -> BackendResult:
    """Answer a Responses API request, whole or as a stream of events."""
    raw_input = inputs.get("input")
    items: list[Mapping[str, Any]] = (
        [{"role": "user", "content": raw_input}]
        if isinstance(raw_input, str)
        else list(raw_input or [])
    )
    previous = inputs.get("previous_response_id")
    if previous is not None:
        # The stored input and output come first; OpenAI's 400 for an id not held (a model
        # without a store holds none).
        items = [*(store or ResponseStore()).get(str(previous)).context, *items]
    texts = [text_of(inputs.get("instructions"))] if inputs.get("instructions") else []
    users: list[str] = []
    for item in items:
        text = text_of(item.get("content", item.get("output")))
        texts.append(text)
        if item.get("role") == "user":
            users.append(text)
    check_context(texts, "input")
    text_format = (inputs.get("text") or {}).get("format") or {}
    last_user = users[-1] if users else ""
    last = items[-1] if items else {}
    tool_result = texts[-1] if last.get("type") == "function_call_output" else None
    if tool_result is None:
        # The output of a call the client ran (shell, apply_patch, computer, local_shell).
        tool_result = hosted_tools.tool_output(last)
    plan = PLAIN
    if text_format or tool_result is not None:
        plan = Plan(
            json_mode=text_format.get("type") == "json_object",
            schema=text_format.get("schema") or {"type": "object"}
            if text_format.get("type") == "json_schema"
            else None,
            tool_result=tool_result,
            source="text.format.schema",
        )
    stored = bool(inputs.get("store"))
    # A stored response gets a random id, so two never share one; its items' ids derive from it.
    response_id = new_response_id() if stored else None
    seed = seed_of(PRO.short_id, texts if response_id is None else [*texts, response_id])
    hosted = None
    if tool_result is None:
        plan = call_plan(inputs, last_user, chat=False) or plan
        tools = inputs.get("tools")
        if plan.call is None and tools:
            tool = hosted_tools.continued(tools, items) or hosted_tools.chosen(
                tools, inputs.get("tool_choice"), last_user
            )
            if tool is not None:
                include = inputs.get("include") or ()
                hosted = hosted_tools.answer(tool, last_user, seed, include, items)
                if hosted.result is not None:
                    plan = replace(plan, tool_result=hosted.result)
    if len(users) > 1:
        plan = replace(plan, earlier=users[-2])
    effort = (inputs.get("reasoning") or {}).get("effort") or "medium"
    stream = bool(inputs.get("stream"))
    reasoning = _REASONING_TOKENS.get(effort, 16)
    cap = inputs.get("max_output_tokens")
    turn = partial(compose, texts, last_user, PRO.short_id, plan, cap, reasoning, seed)
    call = plan.call[0] if plan.call is not None else None
    response = ResponseObject(
        seed,
        call,
        deferred(plan, stream, turn),
        inputs,
        effort,
        clock(),
        response_id=response_id,
        hosted=hosted,
    )
    keep = partial(_keep, store, response.id, items) if store is not None and stored else None
    if stream:
        # Like a real upstream, a stream reports its own failure in its own format.
        events = _events(response, token_delay, keep)
        return StreamResult(ending_in_error(events, responses_stream_error))
    final = response.body(final=True)
    if keep is not None:
        keep(final)
    return json_result(final)


def _keep(
    store: ResponseStore,
    response_id: str,
    items: list[Mapping[str, Any]],
    final: dict[str, Any],
) -> None:
    """Store a finished response with what a continuation reads: its input, then its output."""
    store.put(response_id, final, [*items, *final["output"]])


async def _events(
    response: ResponseObject,
    token_delay: float,
    keep: Callable[[dict[str, Any]], None] | None = None,
) -> AsyncIterator[bytes]:
    """Yield the stream's events: the response started, each output item, then its end."""
    sequence = 0

    def emit(kind: str, **fields: Any) -> bytes:
        nonlocal sequence
        encoded = sse.encode({"type": kind, "sequence_number": sequence, **fields}, event=kind)
        sequence += 1
        return encoded

    started = response.started()
    for template in _STARTED_EVENTS:
        yield template(sequence_number=sequence, response=started)
        sequence += 1
    for index, item in enumerate(response.output_items()):
        yield emit("response.output_item.added", output_index=index, item=item.item(final=False))
        for event in item.opening(emit, index):
            yield event
        delta = item.delta(index)
        if delta is not None:
            for piece in response.turn.reply:
                if token_delay > 0:
                    await asyncio.sleep(token_delay)
                yield delta.numbered_text(sequence, piece)
                sequence += 1
        for event in item.closing(emit, index):
            yield event
        yield emit("response.output_item.done", output_index=index, item=item.item(final=True))
    # A call's stream has always ended in response.completed, even when the cap cut it short.
    truncated = response.answers and response.turn.truncated and response.call is None
    kind = "response.incomplete" if truncated else "response.completed"
    final = response.body(final=True)
    if keep is not None:
        # Stored once whole: a stream cut short is never continued.
        keep(final)
    yield emit(kind, response=final)
