"""The built-in local model: deterministic, offline, in both models' exact wire formats.

Its reply restates the last user turn; a token is a word with its trailing space, so usage
counts are consistent with the text. Streams are async iterators of SSE bytes. It calls a
function tool when told to (or when the last user turn names one), quotes a tool's result,
and answers a JSON schema with an instance of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from airelay.backends.schema_instance import instance
from airelay.core import jsonio, sse
from airelay.core.catalog import MINI, PRO, ModelInfo
from airelay.core.endpoints import route_of_model
from airelay.core.errors import BackendError
from airelay.core.types import BackendResult, JsonResult, StreamResult

MINI_SNAPSHOT = "gpt-5.4-mini-2026-03-17"
PRO_SNAPSHOT = "gpt-5.4-pro-2026-03-05"
_TOKEN = re.compile(r"\s*\S+\s*|\s+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # white space other than U+0020
logger = logging.getLogger("airelay")
# json.dumps's own separators: the seeds, and so every id, stay what they were.
_seed_text = jsonio.encoder(separators=(", ", ": "))
_REASONING_TOKENS = {"none": 0, "minimal": 4, "low": 8, "medium": 16, "high": 32, "xhigh": 64}


def tokens(text: str) -> list[str]:
    """Split `text` into the local model's tokens; they concatenate back to `text`."""
    if text[:1] == " " or "  " in text or _OTHER_SPACE.search(text):
        return _TOKEN.findall(text)
    # The usual reply: words and single spaces, so each token is a word and its space; this
    # is what the pattern finds, several times faster.
    words = text.split(" ")
    last = words.pop()
    pieces = [word + " " for word in words]
    if last:
        pieces.append(last)
    return pieces


def _count(text: str) -> int:
    """Return len(tokens(text)) without building the list: one token per run of non-space."""
    # `\s` and str.split() agree on white space (both use str.isspace()).
    words = len(text.split())
    return words if words or not text else 1


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text") or part.get("refusal") or "")
            for part in content
            if isinstance(part, dict)
        )
    return ""


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, and a
# turn is made per request.
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


@dataclass(frozen=True)
class Plan:
    """How to answer: in text, with a JSON schema's instance, by quoting a tool, or by a call."""

    json_mode: bool = False
    schema: Mapping[str, Any] | None = None
    tool_result: str | None = None
    call: tuple[str, Mapping[str, Any]] | None = None
    stop: tuple[str, ...] = ()


# What most requests ask for: a plain text answer.
_PLAIN = Plan()


def _functions(tools: Any, chat: bool) -> dict[str, Mapping[str, Any]]:
    """Return the function tools by name, with their parameters schema."""
    found: dict[str, Mapping[str, Any]] = {}
    for tool in tools or ():
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        spec = tool.get("function") if chat else tool
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            found[spec["name"]] = spec.get("parameters") or {"type": "object"}
    return found


def _chosen_function(
    functions: Mapping[str, Mapping[str, Any]], choice: Any, last_user: str
) -> str | None:
    """Return the function to call, following tool_choice like OpenAI documents it."""
    if not functions or choice == "none":
        return None
    if isinstance(choice, dict):
        named = (choice.get("function") or {}).get("name") or choice.get("name")
        if choice.get("type") == "function" and named in functions:
            return str(named)
        if choice.get("type") == "allowed_tools":
            allowed = choice.get("allowed_tools", choice)
            if allowed.get("mode") == "required":
                return next(iter(functions))
        return None
    if choice == "required":
        return next(iter(functions))
    # Under "auto", a user turn that names a tool asks for it.
    return next((name for name in functions if name in last_user), None)


def _call_plan(inputs: Mapping[str, Any], last_user: str, chat: bool) -> Plan | None:
    """Return the plan to call a function tool, when the request's tools and choice ask for one."""
    if not inputs.get("tools"):
        return None
    functions = _functions(inputs.get("tools"), chat)
    name = _chosen_function(functions, inputs.get("tool_choice"), last_user)
    return None if name is None else Plan(call=(name, functions[name]))


def _compose(
    texts: list[str],
    last_user: str,
    label: str,
    plan: Plan,
    cap: int | None,
    reasoning: int,
    seed: str,
) -> Turn:
    prompt = sum(_count(text) for text in texts)
    said = " ".join(last_user.split()) or "nothing"
    counted = f"{prompt} prompt token" + ("" if prompt == 1 else "s")
    reply = f"You said: {said} (local {label}; {counted})"
    call = None
    stopped = False
    if plan.call is not None:
        call = plan.call[0]
        reply = json.dumps(instance(plan.call[1]), ensure_ascii=False)
    elif plan.tool_result is not None:
        result = " ".join(plan.tool_result.split())
        reply = f"The tool returned: {result} (local {label}; {counted})"
    elif plan.schema is not None:
        reply = json.dumps(instance(plan.schema), ensure_ascii=False)
    elif plan.json_mode:
        reply = json.dumps({"reply": reply}, ensure_ascii=False)
    if call is None:
        # OpenAI ends the text before the first stop sequence, which it does not return.
        cuts = [reply.find(stop) for stop in plan.stop if stop and stop in reply]
        if cuts:
            reply = reply[: min(cuts)]
            stopped = True
    # One token per run of non-space (see `_count`): counted without splitting the text.
    count = _count(reply)
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


def _seed(label: str, texts: list[str]) -> str:
    """Return the hex digest that names this conversation's answer (its ids derive from it)."""
    return hashlib.sha256(_seed_text([label, texts]).encode()).hexdigest()


def _stream_error(model: ModelInfo, sent: int) -> bytes:
    """Return the error event that ends `model`'s stream after `sent` events (endpoint table)."""
    route = route_of_model(model.binding_id)
    assert route is not None, model.binding_id
    return route.stream_error(sent)


def _answer(plan: Plan, stream: bool, compose: Callable[[], Turn]) -> Callable[[], Turn]:
    """Return `compose`, or its result at once unless it can wait for a stream's first event."""
    # A stream's first events need only the ids: the reply is composed after they are out. A
    # reply from a schema instance is composed at once, so that it fails before any event.
    if stream and plan.call is None and plan.schema is None:
        return compose
    turn = compose()
    return lambda: turn


def _json_result(data: dict[str, Any]) -> JsonResult:
    # Encoded here, as the core would encode `data` (core/responses.py): the same bytes.
    return JsonResult(data, body=jsonio.dumps(data))


class LocalModel:
    """A Backend that answers offline; `token_delay` seconds pass between streamed tokens."""

    def __init__(self, token_delay: float = 0.0, clock: Callable[[], float] = time.time) -> None:
        self.token_delay = token_delay
        self._clock = clock

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Answer like the named Workers AI model would, in its endpoint's wire format."""
        route = route_of_model(model)
        if route is None:
            raise BackendError(
                502, f"No such model: {model}", type="api_error", code="upstream_error"
            )
        # Like a real upstream, a stream reports its own failure in its own format.
        answer = self._chat if route.api == "chat.completions" else self._responses
        return answer(inputs)

    # --- Chat Completions -------------------------------------------------------------------

    def _chat(self, inputs: Mapping[str, Any]) -> BackendResult:
        messages = inputs.get("messages") or ()
        texts: list[str] = []
        last_user = ""
        for message in messages:
            text = _text_of(message.get("content"))
            texts.append(text)
            if message.get("role") == "user":
                last_user = text
        response_format = inputs.get("response_format") or {}
        cap = inputs.get("max_completion_tokens") or inputs.get("max_tokens")
        stop = inputs.get("stop")
        tool_result = texts[-1] if messages and messages[-1].get("role") == "tool" else None
        plan = _PLAIN
        if response_format or stop or tool_result is not None:
            plan = Plan(
                json_mode=response_format.get("type") == "json_object",
                schema=(response_format.get("json_schema") or {}).get("schema")
                or {"type": "object"}
                if response_format.get("type") == "json_schema"
                else None,
                tool_result=tool_result,
                stop=(stop,) if isinstance(stop, str) else tuple(stop or ()),
            )
        if tool_result is None:
            plan = _call_plan(inputs, last_user, chat=True) or plan
        seed = _seed(MINI.short_id, texts)
        stream = bool(inputs.get("stream"))
        compose = partial(_compose, texts, last_user, MINI.short_id, plan, cap, 0, seed)
        call = plan.call[0] if plan.call is not None else None
        completion = ChatCompletion(
            seed, call, _answer(plan, stream, compose), self._clock(), inputs.get("n") or 1
        )
        if stream:
            include_usage = bool((inputs.get("stream_options") or {}).get("include_usage"))
            return StreamResult(self._chat_stream(completion, include_usage))
        return completion.result()

    async def _chat_stream(
        self, completion: ChatCompletion, include_usage: bool
    ) -> AsyncIterator[bytes]:
        try:
            call = completion.call
            for index in range(completion.n):
                if call is None:
                    yield _FIRST_TEXT_CHUNK[include_usage](completion.id, completion.created, index)
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
                # Each token's chunk is this one with the token in the slot, encoded once.
                delta: dict[str, Any] = (
                    {"content": sse.slot(0)}
                    if call is None
                    else {"tool_calls": [{"index": 0, "function": {"arguments": sse.slot(0)}}]}
                )
                token_chunk = sse.Template(completion.chunk(delta, None, include_usage, index))
                for piece in completion.turn.reply:
                    if self.token_delay > 0:
                        await asyncio.sleep(self.token_delay)
                    yield token_chunk.text(piece)
                yield sse.encode(
                    completion.chunk({}, completion.finish_reason(), include_usage, index)
                )
            if include_usage:
                yield sse.encode(
                    {
                        **completion.envelope("chat.completion.chunk"),
                        "choices": [],
                        "usage": completion.usage(),
                    }
                )
            yield sse.encode("[DONE]")
        except Exception:
            # Here rather than in a wrapper generator: a layer less for every chunk.
            logger.exception("stream failed midway")
            yield _stream_error(MINI, 0)

    # --- Responses ---------------------------------------------------------------------------

    def _responses(self, inputs: Mapping[str, Any]) -> BackendResult:
        raw_input = inputs.get("input")
        items = (
            [{"role": "user", "content": raw_input}]
            if isinstance(raw_input, str)
            else (raw_input or [])
        )
        texts = [_text_of(inputs.get("instructions"))] if inputs.get("instructions") else []
        users: list[str] = []
        for item in items:
            text = _text_of(item.get("content", item.get("output")))
            texts.append(text)
            if item.get("role") == "user":
                users.append(text)
        text_format = (inputs.get("text") or {}).get("format") or {}
        last_user = users[-1] if users else ""
        last = items[-1] if items else {}
        tool_result = texts[-1] if last.get("type") == "function_call_output" else None
        plan = _PLAIN
        if text_format or tool_result is not None:
            plan = Plan(
                json_mode=text_format.get("type") == "json_object",
                schema=text_format.get("schema") or {"type": "object"}
                if text_format.get("type") == "json_schema"
                else None,
                tool_result=tool_result,
            )
        if tool_result is None:
            plan = _call_plan(inputs, last_user, chat=False) or plan
        effort = (inputs.get("reasoning") or {}).get("effort") or "medium"
        seed = _seed(PRO.short_id, texts)
        stream = bool(inputs.get("stream"))
        compose = partial(
            _compose,
            texts,
            last_user,
            PRO.short_id,
            plan,
            inputs.get("max_output_tokens"),
            _REASONING_TOKENS.get(effort, 16),
            seed,
        )
        call = plan.call[0] if plan.call is not None else None
        response = ResponseObject(
            seed, call, _answer(plan, stream, compose), inputs, effort, self._clock()
        )
        if stream:
            return StreamResult(self._responses_stream(response))
        return _json_result(response.body(final=True))

    async def _responses_stream(self, response: ResponseObject) -> AsyncIterator[bytes]:
        sequence = 0

        def event(kind: str, **fields: Any) -> bytes:
            nonlocal sequence
            encoded = sse.encode({"type": kind, "sequence_number": sequence, **fields}, event=kind)
            # Counted once encoded: an error event after a failed one takes its number.
            sequence += 1
            return encoded

        def per_token(kind: str, **fields: Any) -> sse.Template:
            # Each token's event is this one with its number and its token (slot 1) filled in.
            payload = {"type": kind, "sequence_number": sse.slot(0), **fields}
            return sse.Template(payload, event=kind)

        try:
            started = response.started()
            for template in _STARTED_EVENTS:
                yield template(sequence, started)
                sequence += 1
            reasoning = response.reasoning_item()
            yield event("response.output_item.added", output_index=0, item=reasoning)
            yield event("response.output_item.done", output_index=0, item=reasoning)
            message_id = response.message_id
            if response.call is not None:
                yield event(
                    "response.output_item.added",
                    output_index=1,
                    item=response.call_item(final=False),
                )
                where_call = {"item_id": response.call_item_id, "output_index": 1}
                arguments_delta = per_token(
                    "response.function_call_arguments.delta", **where_call, delta=sse.slot(1)
                )
                for piece in response.turn.reply:
                    if self.token_delay > 0:
                        await asyncio.sleep(self.token_delay)
                    yield arguments_delta.numbered_text(sequence, piece)
                    sequence += 1
                arguments = response.turn.text
                yield event(
                    "response.function_call_arguments.done", **where_call, arguments=arguments
                )
                yield event(
                    "response.output_item.done", output_index=1, item=response.call_item(final=True)
                )
                yield event("response.completed", response=response.body(final=True))
                return
            yield event(
                "response.output_item.added",
                output_index=1,
                item=response.message_item(final=False),
            )
            where = {"item_id": message_id, "output_index": 1, "content_index": 0}
            yield event("response.content_part.added", **where, part=response.text_part(""))
            text_delta = per_token(
                "response.output_text.delta", **where, delta=sse.slot(1), logprobs=[]
            )
            for piece in response.turn.reply:
                if self.token_delay > 0:
                    await asyncio.sleep(self.token_delay)
                yield text_delta.numbered_text(sequence, piece)
                sequence += 1
            text = response.turn.text
            yield event("response.output_text.done", **where, text=text, logprobs=[])
            yield event("response.content_part.done", **where, part=response.text_part(text))
            yield event(
                "response.output_item.done", output_index=1, item=response.message_item(final=True)
            )
            final = response.body(final=True)
            kind = "response.incomplete" if response.turn.truncated else "response.completed"
            yield event(kind, response=final)
        except Exception:
            logger.exception("stream failed midway")
            yield _stream_error(PRO, sequence)


class _Answered:
    """An answer whose turn `compose` makes on first use: a stream's first events need none."""

    def __init__(self, compose: Callable[[], Turn]) -> None:
        self._compose = compose
        self._turn: Turn | None = None

    @property
    def turn(self) -> Turn:
        """Return the turn, composed on first use."""
        # Not functools.cached_property: on Python 3.11 it takes a lock on every first read.
        if self._turn is None:
            self._turn = self._compose()
        return self._turn


class ChatCompletion(_Answered):
    """One chat.completion, in its object and its chunk forms; `answer` composes its turn."""

    def __init__(
        self,
        seed: str,
        call: str | None,
        answer: Callable[[], Turn],
        created: float,
        n: int = 1,
    ) -> None:
        self.n = n
        self.id = f"chatcmpl-local{seed[:24]}"
        self.call_id = f"call_local{seed[24:48]}"
        self.call = call
        self.created = int(created)
        super().__init__(answer)

    def finish_reason(self) -> str:
        """Return why generation stopped."""
        if self.turn.truncated:
            return "length"
        return "tool_calls" if self.turn.call is not None else "stop"

    def envelope(self, kind: str) -> dict[str, Any]:
        """Return the fields every object of this completion shares."""
        return _chat_envelope(self.id, kind, self.created)

    def usage(self) -> dict[str, Any]:
        """Return the usage object."""
        prompt, completion = self.turn.prompt_tokens, self.turn.count * self.n
        return _chat_usage(prompt, completion, prompt + completion)

    def result(self) -> JsonResult:
        """Return the non-streamed chat.completion object, with its bytes."""
        turn = self.turn
        if turn.call is not None or self.n != 1:
            return _json_result(self._body())
        # The usual answer, one choice of text: its bytes come from a template.
        finish, usage = self.finish_reason(), self.usage()
        data = _chat_object(self.id, self.created, [_text_choice(turn.text, finish)], usage)
        counts = (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"])
        body = _TEXT_ANSWER(self.id, self.created, turn.text, finish, *counts)
        return JsonResult(data, body=body.encode())

    def _body(self) -> dict[str, Any]:
        text, finish = self.turn.text, self.finish_reason()
        if self.turn.call is None:
            choices = [_text_choice(text, finish, index) for index in range(self.n)]
        else:
            message = _message(None)
            message["tool_calls"] = [
                {
                    "id": self.call_id,
                    "type": "function",
                    "function": {"name": self.turn.call, "arguments": text},
                }
            ]
            choices = [_choice(message, finish, index) for index in range(self.n)]
        return _chat_object(self.id, self.created, choices, self.usage())

    def chunk(
        self, delta: dict[str, Any], finish_reason: str | None, include_usage: bool, index: int = 0
    ) -> dict[str, Any]:
        """Return one chat.completion.chunk."""
        return _chat_chunk(self.id, self.created, delta, finish_reason, include_usage, index)


def _chat_envelope(ident: Any, kind: str, created: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "object": kind,
        "created": created,
        "model": MINI_SNAPSHOT,
        "service_tier": "default",
        "system_fingerprint": None,
    }


def _chat_chunk(
    ident: Any,
    created: Any,
    delta: dict[str, Any],
    finish_reason: str | None,
    include_usage: bool,
    index: Any = 0,
) -> dict[str, Any]:
    choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    body = {**_chat_envelope(ident, "chat.completion.chunk", created), "choices": [choice]}
    if include_usage:
        body["usage"] = None
    return body


def _chat_object(
    ident: Any, created: Any, choices: list[dict[str, Any]], usage: dict[str, Any]
) -> dict[str, Any]:
    return {**_chat_envelope(ident, "chat.completion", created), "choices": choices, "usage": usage}


def _message(content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content, "refusal": None, "annotations": []}


def _choice(message: dict[str, Any], finish_reason: Any, index: int = 0) -> dict[str, Any]:
    return {"index": index, "message": message, "logprobs": None, "finish_reason": finish_reason}


def _text_choice(text: Any, finish_reason: Any, index: int = 0) -> dict[str, Any]:
    return _choice(_message(text), finish_reason, index)


def _chat_usage(prompt: Any, completion: Any, total: Any) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


# A text stream's first chunk, per `include_usage`: id, created and the choice's index spliced in.
_FIRST_TEXT_CHUNK = {
    usage: sse.Template(
        _chat_chunk(
            sse.slot(0),
            sse.slot(1),
            {"role": "assistant", "content": "", "refusal": None},
            None,
            usage,
            sse.slot(2),
        )
    )
    for usage in (False, True)
}
# The usual answer, encoded once: id, created, text, finish reason and the three token counts
# are spliced in; `ChatCompletion.result` builds the same object from the same parts.
_TEXT_ANSWER = jsonio.Template(
    _chat_object(
        jsonio.slot(0),
        jsonio.slot(1),
        [_text_choice(jsonio.slot(2), jsonio.slot(3))],
        _chat_usage(jsonio.slot(4), jsonio.slot(5), jsonio.slot(6)),
    )
)


class ResponseObject(_Answered):
    """One Responses API `response`, shaped like the recorded gpt-5.4-pro examples."""

    def __init__(
        self,
        seed: str,
        call: str | None,
        answer: Callable[[], Turn],
        inputs: Mapping[str, Any],
        effort: str,
        created: float,
    ) -> None:
        self.call = call
        self.inputs = inputs
        self.effort = effort
        self.created = int(created)
        self.id = f"resp_local{seed[:40]}"
        self.reasoning_id = f"rs_local{seed[8:48]}"
        self.message_id = f"msg_local{seed[16:56]}"
        self.call_item_id = f"fc_local{seed[24:64]}"
        self.call_id = f"call_local{seed[32:56]}"
        super().__init__(answer)

    def call_item(self, final: bool) -> dict[str, Any]:
        """Return the function_call output item, without arguments while in progress."""
        return {
            "arguments": self.turn.text if final else "",
            "call_id": self.call_id,
            "id": self.call_item_id,
            "name": self.call,
            "status": "completed" if final else "in_progress",
            "type": "function_call",
        }

    def reasoning_item(self) -> dict[str, Any]:
        """Return the reasoning output item."""
        return {"id": self.reasoning_id, "summary": [], "type": "reasoning"}

    def text_part(self, text: str) -> dict[str, Any]:
        """Return an output_text content part."""
        return {"annotations": [], "logprobs": [], "text": text, "type": "output_text"}

    def message_item(self, final: bool) -> dict[str, Any]:
        """Return the assistant message item, empty while in progress."""
        status = ("incomplete" if self.turn.truncated else "completed") if final else "in_progress"
        content = [self.text_part(self.turn.text)] if final else []
        return {
            "content": content,
            "id": self.message_id,
            "phase": "final_answer",
            "role": "assistant",
            "status": status,
            "type": "message",
        }

    def usage(self) -> dict[str, Any]:
        """Return the usage object; output tokens include reasoning tokens, as upstream."""
        output = self.turn.count + self.turn.reasoning_tokens
        return {
            "input_tokens": self.turn.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": self.turn.reasoning_tokens},
            "total_tokens": self.turn.prompt_tokens + output,
        }

    def body(self, final: bool) -> dict[str, Any]:
        """Return the response object, in progress or finished."""
        truncated = final and self.turn.truncated
        status = ("incomplete" if truncated else "completed") if final else "in_progress"
        output = []
        if final:
            item = self.message_item(True) if self.turn.call is None else self.call_item(True)
            output = [self.reasoning_item(), item]
        return _response_object(
            self.created,
            self.id,
            *self._echoed(),
            completed_at=self.created if final and not truncated else None,
            incomplete_details={"reason": "max_output_tokens"} if truncated else None,
            output=output,
            status=status,
            usage=self.usage() if final else None,
        )

    def started(self) -> jsonio.RawJson:
        """Return the in-progress response object as JSON text, from its template."""
        return jsonio.RawJson(_STARTED_RESPONSE(self.created, self.id, *self._echoed()))

    def _echoed(self) -> tuple[Any, ...]:
        # What the object repeats of the request, in the order the object holds it.
        inputs = self.inputs
        text = inputs.get("text") or {}
        return (
            inputs.get("instructions"),
            inputs.get("max_output_tokens"),
            self.effort,
            inputs.get("temperature", 1),
            text.get("format") or {"type": "text"},
            text.get("verbosity") or "medium",
            inputs.get("tool_choice", "auto"),
            inputs.get("tools", []),
            inputs.get("top_p", 0.98),
        )


def _response_object(
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
    *,
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
        "previous_response_id": None,
        "prompt_cache_key": None,
        "prompt_cache_retention": "in_memory",
        "reasoning": {"effort": effort, "summary": None},
        "safety_identifier": None,
        "service_tier": "default",
        "status": status,
        "store": False,
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


# A stream's first two events carry the response in progress: encoded once, with its id,
# its time and what it echoes of the request spliced in.
_STARTED_RESPONSE = jsonio.Template(_response_object(*map(jsonio.slot, range(11))))
_STARTED_EVENTS = [
    sse.Template({"type": kind, "sequence_number": sse.slot(0), "response": sse.slot(1)}, kind)
    for kind in ("response.created", "response.in_progress")
]
