"""Judge answers with the official `openai` SDK's own types, as an SDK caller would parse them."""

from __future__ import annotations

import copy
import json
import typing
from typing import Any

import pydantic
from openai.types import ErrorObject, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from pydantic_core import ErrorDetails

from airelay.check.probe import Exchange

# Responses streams end with exactly one of these (OpenAI API reference, "Streaming events").
TERMINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")


def _event_types() -> dict[str, type[pydantic.BaseModel]]:
    # ResponseStreamEvent is Annotated[Union[...], PropertyInfo(discriminator="type")]: pick the
    # member by its `type` literal, as the SDK does, so a bad event gets that member's errors.
    union = typing.get_args(ResponseStreamEvent)[0]
    found: dict[str, type[pydantic.BaseModel]] = {}
    for member in typing.get_args(union):
        for literal in typing.get_args(member.model_fields["type"].annotation):
            found[literal] = member
    return found


_EVENT_TYPES = _event_types()


class CheckError(Exception):
    """An answer that an SDK caller could not use; the message says why, in a few words."""


def _first_error(error: pydantic.ValidationError) -> str:
    details = error.errors()
    detail = next((d for d in details if not _tolerated(d)), details[0])
    where = ".".join(str(part) for part in detail["loc"]) or "body"
    return f"{where}: {detail['msg']}"


# Fields the SDK's types require but Workers AI does not send, with the value to assume. The
# recorded gpt-5.4-pro answers (shared/model-cards/gpt-5.4-pro.examples.json) have
# `input_tokens_details: {"cached_tokens": 0}` only, while openai 3.x's ResponseUsage requires
# `cache_write_tokens`. The SDK builds answers without validating them (`construct_type`), so
# its callers never notice; a check that failed on it would fail every real deployment.
TOLERATED_MISSING: dict[tuple[str, ...], Any] = {("input_tokens_details", "cache_write_tokens"): 0}


def validate(kind: type[pydantic.BaseModel], data: Any, what: str) -> Any:
    """Validate `data` as `kind`, or raise CheckError naming `what` and the first problem."""
    try:
        return kind.model_validate(data)
    except pydantic.ValidationError as error:
        patched = _fill_tolerated(data, error)
        if patched is not None:
            return validate(kind, patched, what)
        raise CheckError(f"{what} is not a valid {kind.__name__} ({_first_error(error)})") from None


def _suffix(detail: ErrorDetails) -> tuple[str, ...]:
    return tuple(str(part) for part in detail["loc"][-2:])


def _tolerated(detail: ErrorDetails) -> bool:
    return detail["type"] == "missing" and _suffix(detail) in TOLERATED_MISSING


def _fill_tolerated(data: Any, error: pydantic.ValidationError) -> Any:
    """Return a copy of `data` with the tolerated missing fields filled, or None if others fail."""
    fills: list[tuple[tuple[int | str, ...], Any]] = []
    for detail in error.errors():
        if not _tolerated(detail):
            return None
        fills.append((detail["loc"], TOLERATED_MISSING[_suffix(detail)]))
    patched = copy.deepcopy(data)
    for loc, value in fills:
        target = patched
        for part in loc[:-1]:
            target = target[part]
        target[loc[-1]] = value
    return patched


def json_body(exchange: Exchange) -> Any:
    """Return the body's JSON, or raise CheckError."""
    try:
        return exchange.json()
    except ValueError:
        raise CheckError(f"{exchange.status} body is not JSON") from None


def openai_error(exchange: Exchange, status: int) -> ErrorObject:
    """Return the answer's error if it is `status` in OpenAI's error shape; else raise."""
    if exchange.status != status:
        code = error_code(exchange)
        raise CheckError(f"got {exchange.status}{f' ({code})' if code else ''} instead of {status}")
    body = json_body(exchange)
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        raise CheckError(f'{status} body is not OpenAI\'s {{"error": {{...}}}} shape')
    error: ErrorObject = validate(ErrorObject, body["error"], f"{status} error")
    return error


def error_code(exchange: Exchange) -> str | None:
    """Return the `error.code` of an OpenAI-shaped error answer, if it is one."""
    try:
        code = exchange.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, str) else None


def model_list(data: Any) -> list[Model]:
    """Return the models of an OpenAI list object, or raise CheckError."""
    if not isinstance(data, dict) or data.get("object") != "list":
        raise CheckError('not an OpenAI list ({"object": "list", "data": [...]})')
    items = data.get("data")
    if not isinstance(items, list):
        raise CheckError("the list has no data array")
    return [validate(Model, item, f"data[{i}]") for i, item in enumerate(items)]


def chat_completion(data: Any) -> ChatCompletion:
    """Return a chat.completion, or raise CheckError."""
    completion: ChatCompletion = validate(ChatCompletion, data, "answer")
    if completion.usage is None:
        raise CheckError("chat.completion has no usage")
    return completion


def chat_chunks(exchange: Exchange) -> list[ChatCompletionChunk]:
    """Return a chat stream's chunks; it must end with one `[DONE]` after a usage chunk."""
    chunks: list[ChatCompletionChunk] = []
    done = 0
    for number, event in enumerate(exchange.events):
        if event.data == "[DONE]":
            done += 1
            if number != len(exchange.events) - 1:
                raise CheckError("events follow [DONE]")
            continue
        data = _event_json(event.data, number)
        chunks.append(validate(ChatCompletionChunk, data, f"event {number}"))
    if done != 1:
        raise CheckError("the stream does not end with data: [DONE]")
    if not chunks:
        raise CheckError("the stream has no chunks")
    if len({chunk.id for chunk in chunks}) != 1:
        raise CheckError("chunks carry different ids")
    last = chunks[-1]
    if last.usage is None or last.choices:
        raise CheckError("no usage chunk (choices: []) before [DONE]")
    return chunks


def response_object(data: Any) -> Response:
    """Return a finished `response`, or raise CheckError."""
    response: Response = validate(Response, data, "answer")
    if response.status not in ("completed", "incomplete"):
        raise CheckError(f"response status is {response.status}")
    if response.usage is None:
        raise CheckError("response has no usage")
    return response


def response_events(exchange: Exchange) -> list[Any]:
    """Return a Responses stream's events: numbered in order, ending in one terminal event."""
    parsed: list[Any] = []
    last_sequence = -1
    for number, event in enumerate(exchange.events):
        data = _event_json(event.data, number)
        kind = data.get("type") if isinstance(data, dict) else None
        model = _EVENT_TYPES.get(kind) if isinstance(kind, str) else None
        if model is None:
            raise CheckError(f"event {number} has an unknown type {kind!r}")
        if event.name not in ("message", kind):
            raise CheckError(f"event {number}: `event: {event.name}` but type {kind}")
        if kind == "error":
            raise CheckError(f"event {number} is an error: {data.get('message')}")
        item = validate(model, data, f"event {number} ({kind})")
        if item.sequence_number <= last_sequence:
            raise CheckError(f"event {number}: sequence_number does not increase")
        last_sequence = item.sequence_number
        parsed.append(item)
    if not parsed:
        raise CheckError("the stream has no events")
    if parsed[0].type != "response.created":
        raise CheckError(f"the first event is {parsed[0].type}, not response.created")
    terminal = [item.type for item in parsed if item.type in TERMINAL_EVENTS]
    if len(terminal) != 1 or parsed[-1].type not in TERMINAL_EVENTS:
        raise CheckError(f"{len(terminal)} terminal events; want exactly one, last")
    if parsed[-1].type == "response.failed":
        raise CheckError("the stream ended with response.failed")
    return parsed


def _event_json(data: str, number: int) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise CheckError(f"event {number} is not JSON") from None
