"""The core: `handle(request, platform) -> response`, the same on the Worker and locally."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import unquote

from airelay import __version__
from airelay.core import sse
from airelay.core.auth import Caller, authenticate
from airelay.core.catalog import MINI, MODELS, PRO, ModelInfo, find_model
from airelay.core.errors import RelayError, misconfigured
from airelay.core.gateway import gateway_options
from airelay.core.limits import MAX_MINI_OUTPUT_TOKENS, MAX_PRO_OUTPUT_TOKENS, check_body_size
from airelay.core.models import ChatCompletionRequest, RelayRequest, ResponsesRequest
from airelay.core.observability import RequestLog, request_id
from airelay.core.responses import json_response, stream_response
from airelay.core.routing import Route, resolve
from airelay.core.settings import Settings
from airelay.core.types import JsonResult, Platform, Request, Response
from airelay.core.validation import read_json_object, validate

logger = logging.getLogger("airelay")

_API_ROUTES: dict[str, tuple[ModelInfo, type[RelayRequest]]] = {
    "chat": (MINI, ChatCompletionRequest),
    "responses": (PRO, ResponsesRequest),
}
_PUBLIC_ROUTES = ("health", "openapi")


async def handle(request: Request, platform: Platform) -> Response:
    """Answer one request; every failure becomes an OpenAI-shaped error, never an exception."""
    started = time.monotonic()
    log = RequestLog(request_id(request), request.method, request.path)
    # Parsed before routing, so that 404s and 405s carry CORS headers a page can read too.
    settings, settings_error = _load_settings(platform)
    try:
        route, param = resolve(request.method, request.path)
        log.route = route.name
        if route.name in _PUBLIC_ROUTES and request.method != "OPTIONS":
            # Health checks and the API description work even while a variable is bad.
            response = _public(route)
        elif settings is None:
            raise settings_error or misconfigured("settings could not be read")
        else:
            response = await _dispatch(request, platform, settings, route, param, log)
    except RelayError as error:
        response = error.to_response()
        log.error_code = error.code
        if error.status >= 500:
            log.error = error.message
    except Exception:
        # The traceback names code, not the request body, so prompts stay out of the logs.
        logger.exception("unhandled error on %s %s", request.method, request.path)
        response = RelayError(
            500, "The relay failed unexpectedly.", type="server_error", code="internal_error"
        ).to_response()
        log.error_code = "internal_error"
    response.headers.append(("x-request-id", log.request_id))
    if settings is not None and request.method != "OPTIONS":
        response.headers.extend(settings.cors.headers(request))
    log.status = response.status
    log.duration_ms = round((time.monotonic() - started) * 1000, 1)
    platform.log(log.line())
    return response


def _load_settings(platform: Platform) -> tuple[Settings | None, RelayError | None]:
    try:
        return Settings.from_env(platform.env), None
    except RelayError as error:
        return None, error


def _public(route: Route) -> Response:
    if route.name == "health":
        return json_response(200, {"status": "ok", "version": __version__})
    # Imported here: the Worker never needs the schema machinery unless this route is asked.
    from airelay.core import openapi

    return json_response(200, openapi.document())


async def _dispatch(
    request: Request,
    platform: Platform,
    settings: Settings,
    route: Route,
    param: str,
    log: RequestLog,
) -> Response:
    if request.method == "OPTIONS":
        # Preflights carry no credentials (Fetch standard), so they are answered before auth.
        return settings.cors.preflight(request, route.allowed())
    if route.name in _API_ROUTES:
        log.model = _API_ROUTES[route.name][0].binding_id
    caller = _authenticate(request, settings)
    log.key_id = caller.key_id
    if route.name == "models":
        return json_response(200, {"object": "list", "data": [m.card() for m in MODELS]})
    if route.name == "model":
        # The Worker sees the raw path, the local host a decoded one: `openai%2Fgpt-5.4-mini`
        # (how typed clients send a path parameter) must find the model on both.
        param = unquote(param)
        model = find_model(param)
        if model is None:
            raise _model_not_found(param)
        return json_response(200, model.card())
    await _check_rate(platform, settings, caller)
    return await _relay(request, platform, settings, route, caller, log)


def _authenticate(request: Request, settings: Settings) -> Caller:
    if not settings.api_keys and not settings.allow_anonymous:
        raise misconfigured("set the API_KEYS secret, or ALLOW_ANONYMOUS=true to let anyone in")
    return authenticate(request, settings.api_keys, settings.allow_anonymous)


async def _check_rate(platform: Platform, settings: Settings, caller: Caller) -> None:
    if platform.rate_limiter is None:
        return
    if not await platform.rate_limiter.limit(caller.rate_key):
        period = settings.rate_limit_period
        raise RelayError(
            429,
            f"Rate limit reached for this caller; try again in {period} seconds.",
            type="requests",
            code="rate_limit_exceeded",
            headers=(("retry-after", str(period)),),
        )


async def _relay(
    request: Request,
    platform: Platform,
    settings: Settings,
    route: Route,
    caller: Caller,
    log: RequestLog,
) -> Response:
    model, schema = _API_ROUTES[route.name]
    if request.body_error is not None:
        raise RelayError(
            400, f"The request body could not be read: {request.body_error}", code="bad_body"
        )
    check_body_size(request.header("content-length"), request.body, settings.max_body_bytes)
    data = read_json_object(request)
    parsed = validate(schema, data)
    if parsed.model is not None and not model.accepts(parsed.model):
        raise _model_not_found(parsed.model, route_model=model)
    log.stream = bool(parsed.stream)
    if settings.log_prompts:
        log.prompt = data.get("messages", data.get("input"))
    # The body goes on exactly as sent, bar `model` (the binding's first argument) and the
    # operator's output cap when the caller set none.
    inputs: dict[str, Any] = {key: value for key, value in data.items() if key != "model"}
    _apply_output_cap(inputs, settings, route)
    metadata = {"route": route.name, "key_id": caller.key_id}
    options = gateway_options(settings, request, metadata)
    result = await platform.backend.run(model.binding_id, inputs, options)
    log.gateway_log_id = result.gateway_log_id
    headers = [("cf-aig-log-id", result.gateway_log_id)] if result.gateway_log_id else []
    if isinstance(result, JsonResult):
        if not isinstance(result.data, dict):
            raise RelayError(
                502,
                "The model answered with something other than a JSON object.",
                type="api_error",
                code="upstream_malformed",
            )
        usage = result.data.get("usage")
        log.usage = usage if isinstance(usage, dict) else None
        return json_response(200, result.data, headers)
    response = stream_response(result.stream, headers)
    response.stream_error = _STREAM_ERRORS[route.name]
    return response


def _apply_output_cap(inputs: dict[str, Any], settings: Settings, route: Route) -> None:
    cap = settings.max_output_tokens
    if cap is None:
        return
    names = (
        ("max_output_tokens",)
        if route.name == "responses"
        else ("max_completion_tokens", "max_tokens")
    )
    asked = [(name, inputs[name]) for name in names if inputs.get(name) is not None]
    for name, value in asked:
        if value > cap:
            raise RelayError(
                400,
                f"Invalid value for '{name}': this relay allows at most {cap} output tokens "
                "(MAX_OUTPUT_TOKENS).",
                param=name,
                code="invalid_value",
            )
    if not asked:
        # Never inject more than the route's own bound, which a caller could not send either.
        ceiling = MAX_PRO_OUTPUT_TOKENS if route.name == "responses" else MAX_MINI_OUTPUT_TOKENS
        inputs[names[0]] = min(cap, ceiling)


def _chat_stream_error(sent: int) -> bytes:
    # OpenAI's SDKs raise APIError on a `data:` event whose object has `error`.
    return sse.encode(
        RelayError(
            502, "The stream failed midway.", type="server_error", code="stream_failed"
        ).body()
    )


def _responses_stream_error(sent: int) -> bytes:
    # Responses streams number every event; the error event continues the count.
    payload = {
        "type": "error",
        "code": "stream_failed",
        "message": "The stream failed midway.",
        "param": None,
        "sequence_number": sent,
    }
    return sse.encode(payload, event="error")


_STREAM_ERRORS = {"chat": _chat_stream_error, "responses": _responses_stream_error}


def _model_not_found(name: str, route_model: ModelInfo | None = None) -> RelayError:
    other = find_model(name)
    if route_model is not None and other is not None:
        message = (
            f"The model '{name}' is not served on this route: {route_model.short_id} "
            f"({route_model.binding_id}) is; send {other.short_id} to {other.path}."
        )
    else:
        available = ", ".join(m.binding_id for m in MODELS)
        message = (
            f"The model '{name}' does not exist or you do not have access to it; "
            f"available: {available}."
        )
    return RelayError(404, message, param="model", code="model_not_found")
