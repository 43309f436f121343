"""Decode a JSON request body and validate it, turning every failure into a 4xx RelayError."""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, SchemaError, SchemaValidator

from airelay.core import jsonio
from airelay.core.errors import RelayError

Model = TypeVar("Model", bound=BaseModel)
# OpenAI reports one error; past this many, pydantic's error list costs more than validating
# (bench/core_tricks.py, one run: 100,000 unknown keys rejected in 18.6 ms from a sample, in
# 558 ms from every error).
MAX_ERRORS = 64
SAMPLE_ITEMS = 2
# Caller text echoed in a message (a key, a quoted value) is cut to this many characters.
MAX_ECHO = 64
_LONG_QUOTE = re.compile(f"'([^']{{{MAX_ECHO}}})[^']+'")
# pydantic-core's schema types that take `fail_fast` (pydantic 2.8+).
_FAIL_FAST_TYPES = ("list", "tuple", "set", "frozenset", "dict")


def read_json_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """Return `body` as a JSON object, or raise 415/400 saying what is wrong with it."""
    media_type = jsonio.media_type(content_type)
    # A missing content type is accepted: `curl --data-binary @file` callers forget it.
    if media_type and not jsonio.is_json_media_type(media_type):
        raise RelayError(
            415,
            f"Unsupported content type {media_type!r}: send application/json.",
            code="unsupported_media_type",
        )
    if not body or body.isspace():
        raise RelayError(400, "The request body is empty: send a JSON object.", code="invalid_json")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RelayError(
            400, f"The request body is not valid UTF-8 (byte {exc.start}).", code="invalid_json"
        ) from None
    try:
        data = jsonio.loads(text)
    except jsonio.JsonError as exc:
        code = "too_deep" if exc.too_deep else "invalid_json"
        raise RelayError(400, f"The request body {exc.reason}.", code=code) from None
    if not isinstance(data, dict):
        raise RelayError(
            400,
            f"The request body must be a JSON object, not {_json_type(data)}.",
            code="invalid_json",
        )
    return data


def validate(model: type[Model], data: dict[str, Any]) -> Model:
    """Validate `data` against `model`, raising a 400 that names the offending parameter."""
    validator = _fail_fast(model)
    try:
        return cast(Model, validator.validate_python(data))
    except ValidationError as exc:
        error = exc
    if error.error_count() > MAX_ERRORS:
        # `errors()` costs per error, and one object can hold 100,000 unknown keys (which no
        # `fail_fast` stops): find some in a sample that keeps every parameter name and a few
        # of everything else.
        names = _field_names(model)
        # First a few items of each list; if the fault lies further on, every item.
        for items in (SAMPLE_ITEMS, None):
            try:
                validator.validate_python(_sample(data, names, items))
            except ValidationError as exc:
                error = exc
                break
        if error.error_count() > MAX_ERRORS:
            raise _too_many(error.error_count())
    raise _to_relay_error(error, data) from None


def _to_relay_error(exc: ValidationError, data: Any) -> RelayError:
    errors = exc.errors(include_url=False, include_input=False)
    located = [(_param(error, data), error) for error in errors]
    # A union reports one error per branch; the deepest path is the most specific one.
    depth = max(len(path) for path, _ in located)
    param_path, first = next((p, e) for p, e in located if len(p) == depth)
    param = _render(param_path)
    siblings = [e for p, e in located if p == param_path]
    kind = first["type"]
    if kind == "extra_forbidden":
        if len(param_path) == 1:
            message = f"Unrecognized request argument supplied: {param}"
        else:
            message = f"Unrecognized argument: {param}"
        return RelayError(400, message, param=param, code="unknown_parameter")
    if kind == "missing":
        return RelayError(
            400,
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    reasons = list(dict.fromkeys(_reason(e) for e in siblings))
    # "Input should be a valid string or a valid list", not the phrase twice.
    reasons = reasons[:1] + [r.removeprefix("Input should be ") for r in reasons[1:]]
    where = f"'{param}'" if param else "the request"
    return RelayError(
        400,
        f"Invalid value for {where}: {' or '.join(reasons)}.",
        param=param or None,
        code="invalid_value",
    )


@functools.cache
def _fail_fast(model: type[BaseModel]) -> SchemaValidator:
    """Return a validator for `model` whose lists and dicts stop at their first bad item."""
    # Validating every item of a 1 MiB body of empty content parts costs 5x a valid body of the
    # same size, for 300,000 errors that nobody reads: OpenAI reports one. With fail_fast,
    # bench/hostile_bodies.py, one run: 0.95x (114.9 ms against 120.9 for a valid body).
    # `_use_prebuilt=False`: otherwise pydantic-core reuses each model class's own validator
    # for its schema (as pydantic's own `create_schema_validator` allows), and the flags are lost.
    # About 2 ms per model, once per process or isolate.
    # Request models are built on first use (models/common.py, defer_build): until then their
    # `__pydantic_core_schema__` is pydantic's stand-in, not a dict this walk would copy.
    model.model_rebuild()
    try:
        return SchemaValidator(
            _with_fail_fast(model.__pydantic_core_schema__), None, _use_prebuilt=False
        )
    except (TypeError, SchemaError):  # a pydantic-core without `_use_prebuilt` or `fail_fast`
        return model.__pydantic_validator__  # type: ignore[return-value]


def _with_fail_fast(node: Any) -> Any:
    if isinstance(node, dict):
        copied = {key: _with_fail_fast(value) for key, value in node.items()}
        if copied.get("type") in _FAIL_FAST_TYPES:
            copied["fail_fast"] = True
        return copied
    if isinstance(node, list):
        return [_with_fail_fast(value) for value in node]
    return node


def _too_many(count: int) -> RelayError:
    return RelayError(
        400,
        f"Invalid value for the request: it breaks the schema in {count} places.",
        code="invalid_value",
    )


@functools.cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """Return every field name and alias in `model`'s schema, nested models included."""
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("model-fields", "typed-dict", "dataclass-args"):
                fields = node.get("fields", {})
                names.update(fields if isinstance(fields, dict) else ())
                for field in fields.values() if isinstance(fields, dict) else fields:
                    alias = field.get("validation_alias") if isinstance(field, dict) else None
                    if isinstance(alias, str):
                        names.add(alias)
                    if isinstance(field, dict) and "name" in field:
                        names.add(field["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(model.__pydantic_core_schema__)
    return frozenset(names)


def _sample(value: Any, names: frozenset[str], items: int | None) -> Any:
    """Return `value` cut to its first `items` list items and few unknown keys per object."""
    # Cut this way, the sample breaks the schema wherever a kept part of the body does: no
    # parameter goes missing, and no list falls below its minimum (1). Each object costs only
    # what it keeps, so an object of a million keys costs nothing here.
    if isinstance(value, list):
        return [_sample(item, names, items) for item in value[:items]]
    if isinstance(value, dict):
        unknown = itertools.islice((key for key in value if key not in names), SAMPLE_ITEMS)
        kept = {key: value[key] for key in unknown}
        kept.update((name, value[name]) for name in names if name in value)
        return {key: _sample(item, names, items) for key, item in kept.items()}
    return value


def _reason(error: ErrorDetails) -> str:
    msg = error["msg"]
    msg = msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg
    # pydantic quotes the input in some messages ("Input tag 'xxx...' found"): a megabyte of it
    # helps nobody.
    return _LONG_QUOTE.sub(lambda m: f"'{m.group(1)}...'", msg)


def _short(part: str | int) -> str | int:
    return part if isinstance(part, int) or len(part) <= MAX_ECHO else part[:MAX_ECHO] + "..."


def _param(error: ErrorDetails, data: Any) -> tuple[str | int, ...]:
    # Keep only the parts of pydantic's location that exist in the body: the rest are union
    # branch tags ("str", "user", "list[...]"), which mean nothing to the caller. A tag can
    # also be a key of the same object (`{"type": "text", "text": ...}`), so try every way
    # through the body and keep the longest, then the one that ends latest in the location.
    loc = error["loc"]
    best: tuple[int, ...] = ()

    def walk(start: int, node: Any, taken: tuple[int, ...]) -> None:
        nonlocal best
        if (len(taken), taken[::-1]) > (len(best), best[::-1]):
            best = taken
        for index in range(start, len(loc)):
            part = loc[index]
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                walk(index + 1, node[part], (*taken, index))
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                walk(index + 1, node[part], (*taken, index))

    walk(0, data, ())
    path = [_short(loc[index]) for index in best]
    # A missing field is not in the body, but it is what the caller has to add.
    if error["type"] == "missing" and loc and isinstance(loc[-1], str):
        path.append(loc[-1])
    return tuple(path)


def _render(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
