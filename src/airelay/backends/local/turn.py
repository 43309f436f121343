"""What the local model answers: a turn composed from a request's texts and its plan.

Its reply restates the last user turn; a token is a word with its trailing space, so usage
counts are consistent with the text. Ids derive from a digest of the conversation.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from airelay.backends.local.plan import Plan
from airelay.backends.local.schema_instance import MAX_INSTANCE_CHARS, SchemaTooLargeError, instance
from airelay.core import jsonio
from airelay.core.errors import BackendError
from airelay.core.types import JsonResult

_TOKEN = re.compile(r"\s*\S+\s*|\s+")
# json.dumps's own separators: the seeds, and so every id, stay what they were.
_seed_text = jsonio.encoder(separators=(", ", ": "))
# The most characters of a caller's text an answer quotes (the last user turn, the turn before,
# a tool's result); the rest is cut at a "…" (docs/local-host.md "Limits").
MAX_QUOTED_CHARS = 4096
# The most characters a conversation may hold, its stored context included: the local model's
# context window, so that a chain of previous_response_id cannot grow its work without bound.
MAX_CONTEXT_CHARS = 4_194_304


def tokens(text: str) -> list[str]:
    """Split `text` into the local model's tokens; they concatenate back to `text`."""
    # A str.split fast path for words and single spaces was dropped: no faster for the usual
    # reply (1.86 us against 1.78), 10 percent at 1,000 words (timeit).
    return _TOKEN.findall(text)


def token_count(text: str) -> int:
    """Return len(tokens(text)) without building the list: one token per run of non-space."""
    # `\s` and str.split() agree on white space (both use str.isspace()). Counting the usual
    # reply so takes 0.30 us against 1.40 for len(tokens(text)) (timeit).
    words = len(text.split())
    return words if words or not text else 1


def text_of(content: Any) -> str:
    """Return the text of a message's content: a string, or its parts' texts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text") or part.get("refusal") or "")
            for part in content
            if isinstance(part, dict)
        )
    return ""


def quoted(text: str) -> str:
    """Return `text` with its white space collapsed, cut to MAX_QUOTED_CHARS with a "…"."""
    said = " ".join(text.split())
    return said if len(said) <= MAX_QUOTED_CHARS else said[:MAX_QUOTED_CHARS] + "…"


def schema_answer(schema: Any, source: str, choices: int = 1) -> str:
    """Return the JSON text of `schema`'s instance, or raise the 400 naming `source`."""
    # The n choices share one budget: each repeats the instance (docs/local-host.md "Limits").
    budget = MAX_INSTANCE_CHARS // max(choices, 1)
    try:
        value = instance(schema, budget=budget)
    except SchemaTooLargeError as exc:
        shared = f" ({choices} choices share {MAX_INSTANCE_CHARS})" if choices > 1 else ""
        # A 400, not a backend failure: the caller can act on it (a smaller schema, fewer
        # choices), and retrying the same request can never succeed.
        raise BackendError(
            400,
            f"Invalid schema for '{source}': the local model cannot answer it: {exc}{shared}.",
            type="invalid_request_error",
            code="schema_too_large",
            param=source,
        ) from None
    return json.dumps(value, ensure_ascii=False)


def check_context(texts: list[str], param: str) -> None:
    """Raise OpenAI's 400 for an input beyond the context window, when `texts` exceed it."""
    if sum(len(text) for text in texts) > MAX_CONTEXT_CHARS:
        # OpenAI's code and wording for an input beyond the model's context window.
        raise BackendError(
            400,
            "Your input exceeds the context window of this model "
            f"(the local model's {MAX_CONTEXT_CHARS} characters). "
            "Please adjust your input and try again.",
            type="invalid_request_error",
            code="context_length_exceeded",
            param=param,
        )


def seed_of(label: str, texts: list[str]) -> str:
    """Return the hex digest that names this conversation's answer (its ids derive from it)."""
    return hashlib.sha256(_seed_text([label, texts]).encode()).hexdigest()


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, and a
# turn is made per request: 0.93 us against 0.21 (timeit).
@dataclass
class Turn:
    """What the local model read from a request and what it will answer."""

    prompt_tokens: int
    # The answer and its length in tokens (the function's arguments when it calls one).
    text: str
    count: int
    reasoning_tokens: int
    truncated: bool
    seed: str
    # The function it calls instead of answering in text.
    call: str | None = None
    stopped: bool = False

    @cached_property
    def reply(self) -> list[str]:
        """Return the answer's tokens, split only for a stream that sends them one by one."""
        return tokens(self.text)


def compose(
    texts: list[str],
    last_user: str,
    label: str,
    plan: Plan,
    cap: int | None,
    reasoning: int,
    seed: str,
    choices: int = 1,
) -> Turn:
    """Compose the answer to a conversation of `texts` under `plan` and a token `cap`."""
    prompt = sum(token_count(text) for text in texts)
    said = quoted(last_user) or "nothing"
    counted = f"{prompt} prompt token" + ("" if prompt == 1 else "s")
    if plan.earlier is not None:
        # What a conversation's context adds, inline or by previous_response_id: the answer
        # recalls the turn before (docs/local-host.md).
        counted += f"; earlier you said: {quoted(plan.earlier) or 'nothing'}"
    reply = f"You said: {said} (local {label}; {counted})"
    call = None
    stopped = False
    if plan.call is not None:
        call = plan.call[0]
        reply = schema_answer(plan.call[1], plan.source, choices)
    elif plan.tool_result is not None:
        result = quoted(plan.tool_result)
        reply = f"The tool returned: {result} (local {label}; {counted})"
    elif plan.schema is not None:
        reply = schema_answer(plan.schema, plan.source, choices)
    elif plan.json_mode:
        reply = json.dumps({"reply": reply}, ensure_ascii=False)
    if call is None:
        # OpenAI ends the text before the first stop sequence, which it does not return.
        cuts = [reply.find(stop) for stop in plan.stop if stop and stop in reply]
        if cuts:
            reply = reply[: min(cuts)]
            stopped = True
    # One token per run of non-space (see `token_count`): counted without splitting the text.
    count = token_count(reply)
    room = None if cap is None else max(cap - reasoning, 0)
    truncated = False
    if room is not None and room < count:
        reply, count, truncated = "".join(tokens(reply)[:room]), room, True
    return Turn(
        prompt,
        reply,
        count,
        min(reasoning, cap) if cap else reasoning,
        truncated,
        seed,
        call,
        stopped,
    )


def deferred(plan: Plan, stream: bool, compose: Callable[[], Turn]) -> Callable[[], Turn]:
    """Return `compose`, or its result at once unless it can wait for a stream's first event."""
    # A stream's first events need only the ids: the reply is composed after they are out
    # (1.8 us for a short prompt, timeit). A reply from a schema instance is composed at once,
    # so that it fails before any event.
    if stream and plan.call is None and plan.schema is None:
        return compose
    turn = compose()
    return lambda: turn


def json_result(data: dict[str, Any]) -> JsonResult:
    """Return `data` as an answer, with the bytes the core would encode for it."""
    # Encoded here, as the core would encode `data` (core/responses.py): the same bytes.
    return JsonResult(data, body=jsonio.dumps(data))


class Answered:
    """An answer whose turn `compose` makes on first use: a stream's first events need none."""

    def __init__(self, compose: Callable[[], Turn]) -> None:
        self._compose = compose
        self._turn: Turn | None = None

    @property
    def turn(self) -> Turn:
        """Return the turn, composed on first use."""
        # Not functools.cached_property: on Python 3.11 it takes a lock on every first read
        # (an answer made and read: 0.28 us against 0.56, timeit).
        if self._turn is None:
            self._turn = self._compose()
        return self._turn
