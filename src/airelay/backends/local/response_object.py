"""The Responses API objects of one answer: the `response` and its output items."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from airelay.backends.local.hosted import HostedAnswer
from airelay.backends.local.output_items import (
    FunctionCall,
    HostedItem,
    Message,
    OutputItem,
    Reasoning,
)
from airelay.backends.local.template import JsonTemplate, RawJson, slot
from airelay.backends.local.turn import Answered, Turn

PRO_SNAPSHOT = "gpt-5.4-pro-2026-03-05"


class ResponseObject(Answered):
    """One Responses API `response`, shaped like the recorded gpt-5.4-pro examples."""

    def __init__(
        self,
        seed: str,
        call: str | None,
        answer: Callable[[], Turn],
        inputs: Mapping[str, Any],
        effort: str,
        created: float,
        response_id: str | None = None,
        hosted: HostedAnswer | None = None,
    ) -> None:
        self.call = call
        self.inputs = inputs
        self.effort = effort
        self.created = int(created)
        # What a hosted tool adds: its items before the answer, the citations in it.
        self.hosted = hosted
        # A stored response's id is drawn at random (response_store.new_response_id).
        self.id = response_id or f"resp_local{seed[:40]}"
        self.reasoning_id = f"rs_local{seed[8:48]}"
        self.message_id = f"msg_local{seed[16:56]}"
        self.call_item_id = f"fc_local{seed[24:64]}"
        self.call_id = f"call_local{seed[32:56]}"
        super().__init__(answer)

    def output_items(self) -> list[OutputItem]:
        """Return the items of the response's `output`, in order."""
        hosted: list[OutputItem] = []
        if self.hosted is not None:
            hosted = [HostedItem(step) for step in self.hosted.steps]
        if not self.answers:
            return [Reasoning(self), *hosted]
        answer = Message(self) if self.call is None else FunctionCall(self)
        return [Reasoning(self), *hosted, answer]

    @property
    def answers(self) -> bool:
        """Tell whether the output ends with a message or call, not with a tool's items."""
        # A response ends with a hosted tool's items when it asks for an approval or for a
        # call the client runs (hosted.HostedAnswer.result is None).
        return self.hosted is None or self.hosted.result is not None

    def annotations(self) -> list[dict[str, Any]]:
        """Return the answer's citations of what a hosted tool found (web or file search)."""
        return [] if self.hosted is None else self.hosted.annotations(self.turn.text)

    def usage(self) -> dict[str, Any]:
        """Return the usage object; output tokens include reasoning tokens, as upstream."""
        output = (self.turn.count if self.answers else 0) + self.turn.reasoning_tokens
        return {
            "input_tokens": self.turn.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": self.turn.reasoning_tokens},
            "total_tokens": self.turn.prompt_tokens + output,
        }

    def body(self, final: bool) -> dict[str, Any]:
        """Return the response object, in progress or finished."""
        truncated = final and self.answers and self.turn.truncated
        status = ("incomplete" if truncated else "completed") if final else "in_progress"
        output = [item.item(final=True) for item in self.output_items()] if final else []
        return _response(
            **self._echoed(),
            completed_at=self.created if final and not truncated else None,
            incomplete_details={"reason": "max_output_tokens"} if truncated else None,
            output=output,
            status=status,
            usage=self.usage() if final else None,
        )

    def started(self) -> RawJson:
        """Return the in-progress response object as JSON text, from its template."""
        # 4.9 us against 9.6 encoding `body(final=False)` (timeit; README Performance: a
        # streamed responses answer's first event in 21 us instead of 49).
        return RawJson(_STARTED.fill(self._echoed()))

    def _echoed(self) -> dict[str, Any]:
        # What the object says of itself and repeats of the request, by `_response`'s names.
        inputs = self.inputs
        text = inputs.get("text") or {}
        return {
            "created": self.created,
            "ident": self.id,
            "instructions": inputs.get("instructions"),
            "max_output_tokens": inputs.get("max_output_tokens"),
            "effort": self.effort,
            "temperature": inputs.get("temperature", 1),
            "text_format": text.get("format") or {"type": "text"},
            "verbosity": text.get("verbosity") or "medium",
            "tool_choice": inputs.get("tool_choice", "auto"),
            "tools": inputs.get("tools", []),
            "top_p": inputs.get("top_p", 0.98),
            "previous_response_id": inputs.get("previous_response_id"),
            # The card's answers say `false` when the caller omits `store` (OpenAI's own
            # default is true): the card's default is kept.
            "store": bool(inputs.get("store")),
        }


def _response(
    *,
    created: Any,
    ident: Any,
    instructions: Any,
    max_output_tokens: Any,
    effort: Any,
    temperature: Any,
    text_format: Any,
    verbosity: Any,
    tool_choice: Any,
    tools: Any,
    top_p: Any,
    previous_response_id: Any,
    store: Any,
    completed_at: int | None = None,
    incomplete_details: dict[str, Any] | None = None,
    output: list[dict[str, Any]] | None = None,
    status: str = "in_progress",
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "background": False,
        "billing": {"payer": "developer"},
        "completed_at": completed_at,
        "created_at": created,
        "error": None,
        "frequency_penalty": 0,
        "gatewayMetadata": {"keySource": "Local"},
        "id": ident,
        "incomplete_details": incomplete_details,
        "instructions": instructions,
        "max_output_tokens": max_output_tokens,
        "max_tool_calls": None,
        "metadata": {},
        "model": PRO_SNAPSHOT,
        "moderation": None,
        "object": "response",
        "output": output or [],
        "parallel_tool_calls": True,
        "presence_penalty": 0,
        "previous_response_id": previous_response_id,
        "prompt_cache_key": None,
        "prompt_cache_retention": "in_memory",
        "reasoning": {"effort": effort, "summary": None},
        "safety_identifier": None,
        "service_tier": "default",
        "status": status,
        "store": store,
        "temperature": temperature,
        "text": {"format": text_format, "verbosity": verbosity},
        "tool_choice": tool_choice,
        "tools": tools,
        "top_logprobs": 0,
        "top_p": top_p,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
    }


# The response in progress, which a stream's first two events carry: encoded once, with a slot
# for each parameter of `_response` without a default (the values `ResponseObject._echoed`
# names), filled by that name.
_ECHOED_SLOTS: dict[str, Any] = {
    name: slot(name)
    for name, parameter in inspect.signature(_response).parameters.items()
    if parameter.default is parameter.empty
}
_STARTED = JsonTemplate(_response(**_ECHOED_SLOTS))
