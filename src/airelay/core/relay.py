"""The model endpoints' handler: read and check the body, then call the backend once."""

from __future__ import annotations

from typing import Any

from airelay.core.auth import ANONYMOUS
from airelay.core.catalog import model_not_found
from airelay.core.context import Context
from airelay.core.errors import RelayError
from airelay.core.gateway import gateway_options
from airelay.core.headers import gateway_headers
from airelay.core.limits import too_large
from airelay.core.responses import json_response, stream_response
from airelay.core.tool_policy import ToolPolicy
from airelay.core.types import BodyError, BodyTooLargeError, JsonResult, Response
from airelay.core.upstream import json_object
from airelay.core.validation import read_json_object, validate


async def relay(context: Context) -> Response:
    """Validate the body against the endpoint's schema and relay it to the backend."""
    route = context.endpoint.model_route
    assert route is not None, "relay serves model endpoints only"
    settings = context.settings
    request, log = context.request, context.log
    try:
        body = await request.read_body(settings.max_body_bytes)
    except BodyTooLargeError:
        raise too_large(settings.max_body_bytes) from None
    except BodyError as exc:
        raise RelayError(
            400, f"The request body could not be read: {exc}", code="bad_body"
        ) from None
    data = read_json_object(body, request.header("content-type"))
    parsed = validate(route.schema, data)
    if parsed.model is not None and not route.model.accepts(parsed.model):
        raise model_not_found(parsed.model, route_model=route.model)
    scope = context.caller.scope if context.caller is not None else None
    ToolPolicy(settings.allowed_tools, scope.tools if scope is not None else None).check(data)
    log.stream = bool(parsed.stream)
    if settings.log_prompts:
        log.prompt = data.get("messages", data.get("input"))
    # The body goes on exactly as sent, bar `model` (the binding's first argument) and the
    # operator's output cap when the caller set none.
    inputs: dict[str, Any] = {key: value for key, value in data.items() if key != "model"}
    cap, source = settings.max_output_tokens, "MAX_OUTPUT_TOKENS"
    token_cap = scope.max_output_tokens if scope is not None else None
    # A token may only lower the operator's cap, never raise it.
    if token_cap is not None and (cap is None or token_cap < cap):
        cap, source = token_cap, "this token's max_output_tokens"
    _apply_output_cap(inputs, cap, route.output_fields, route.max_output_tokens, source)
    key_id = context.caller.key_id if context.caller is not None else ANONYMOUS
    metadata = {"route": context.endpoint.name, "key_id": key_id}
    options = gateway_options(settings.gateway, request, metadata)
    result = await context.platform.backend.run(route.model.binding_id, inputs, options)
    log.gateway_log_id = result.gateway_log_id
    log.cache_status = result.cache_status
    headers = gateway_headers(result.gateway_log_id, result.cache_status)
    if isinstance(result, JsonResult):
        usage = json_object(result.data).get("usage")
        log.usage = usage if isinstance(usage, dict) else None
        # The upstream's bytes, when the backend kept them, go on as read (bench/core_tricks.py,
        # one run: 7.1 us to encode a chat answer again).
        return json_response(200, result.data, headers, result.body)
    return stream_response(result.stream, headers)


def _apply_output_cap(
    inputs: dict[str, Any],
    cap: int | None,
    names: tuple[str, ...],
    ceiling: int,
    source: str = "MAX_OUTPUT_TOKENS",
) -> None:
    if cap is None:
        return
    # The cap bounds the whole answer: `n` choices of up to the per-choice cap each.
    n = inputs.get("n")
    choices = n if isinstance(n, int) and not isinstance(n, bool) and n > 1 else 1
    asked = [(name, inputs[name]) for name in names if inputs.get(name) is not None]
    for name, value in asked:
        if value > cap:
            raise RelayError(
                400,
                f"Invalid value for '{name}': this relay allows at most {cap} output tokens "
                f"({source}).",
                param=name,
                code="invalid_value",
            )
        if value * choices > cap:
            raise RelayError(
                400,
                f"Invalid value for 'n': {choices} choices of up to {value} output tokens each "
                f"('{name}') exceed the {cap} output tokens this relay allows for a whole "
                f"answer ({source}); ask for fewer choices or fewer tokens per choice.",
                param="n",
                code="invalid_value",
            )
    if not asked:
        # The caller named no per-choice cap: the choices share the bound, and never more
        # than the route's own bound each, which a caller could not send either.
        per_choice = cap // choices
        if per_choice == 0:
            raise RelayError(
                400,
                f"Invalid value for 'n': {choices} choices cannot share the {cap} output "
                f"tokens this relay allows for a whole answer ({source}).",
                param="n",
                code="invalid_value",
            )
        inputs[names[0]] = min(per_choice, ceiling)
