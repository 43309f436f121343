"""Decode a JSON request body and validate it, turning every failure into a 4xx RelayError."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from airelay.core import jsonio
from airelay.core.errors import RelayError

Model = TypeVar("Model", bound=BaseModel)
_JSON_TYPES = ("application/json",)


def read_json_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """Return `body` as a JSON object, or raise 415/400 saying what is wrong with it."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    # A missing content type is accepted: `curl --data-binary @file` callers forget it.
    if media_type and media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise RelayError(
            415,
            f"Unsupported content type {media_type!r}: send application/json.",
            code="unsupported_media_type",
        )
    if not body.strip():
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
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _to_relay_error(exc, data) from None


def _to_relay_error(exc: ValidationError, data: dict[str, Any]) -> RelayError:
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


def _reason(error: ErrorDetails) -> str:
    msg = error["msg"]
    return msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg


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
    path = [loc[index] for index in best]
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
