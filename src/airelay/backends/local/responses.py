"""The local model in the Responses API format: a request read, answered whole or streamed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from functools import partial
from typing import Any

from airelay.backends.local.plan import PLAIN, Plan, call_plan
from airelay.backends.local.response_object import ResponseObject
from airelay.backends.local.template import EventTemplate, slot
from airelay.backends.local.turn import compose, deferred, json_result, seed_of, text_of
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
    inputs: Mapping[str, Any], clock: Callable[[], float], token_delay: float
) -> BackendResult:
    """Answer a Responses API request, whole or as a stream of events."""
    raw_input = inputs.get("input")
    items = (
        [{"role": "user", "content": raw_input}]
        if isinstance(raw_input, str)
        else (raw_input or [])
    )
    texts = [text_of(inputs.get("instructions"))] if inputs.get("instructions") else []
    users: list[str] = []
    for item in items:
        text = text_of(item.get("content", item.get("output")))
        texts.append(text)
        if item.get("role") == "user":
            users.append(text)
    text_format = (inputs.get("text") or {}).get("format") or {}
    last_user = users[-1] if users else ""
    last = items[-1] if items else {}
    tool_result = texts[-1] if last.get("type") == "function_call_output" else None
    plan = PLAIN
    if text_format or tool_result is not None:
        plan = Plan(
            json_mode=text_format.get("type") == "json_object",
            schema=text_format.get("schema") or {"type": "object"}
            if text_format.get("type") == "json_schema"
            else None,
            tool_result=tool_result,
        )
    if tool_result is None:
        plan = call_plan(inputs, last_user, chat=False) or plan
    effort = (inputs.get("reasoning") or {}).get("effort") or "medium"
    seed = seed_of(PRO.short_id, texts)
    stream = bool(inputs.get("stream"))
    reasoning = _REASONING_TOKENS.get(effort, 16)
    cap = inputs.get("max_output_tokens")
    turn = partial(compose, texts, last_user, PRO.short_id, plan, cap, reasoning, seed)
    call = plan.call[0] if plan.call is not None else None
    response = ResponseObject(seed, call, deferred(plan, stream, turn), inputs, effort, clock())
    if stream:
        # Like a real upstream, a stream reports its own failure in its own format.
        return StreamResult(ending_in_error(_events(response, token_delay), responses_stream_error))
    return json_result(response.body(final=True))


async def _events(response: ResponseObject, token_delay: float) -> AsyncIterator[bytes]:
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
    truncated = response.turn.truncated and response.call is None
    kind = "response.incomplete" if truncated else "response.completed"
    yield emit(kind, response=response.body(final=True))
