"""The core: `handle(request, platform) -> response`, the same on the Worker and locally."""

from __future__ import annotations

import logging
from typing import Any

from airelay import __version__
from airelay.catalog import MINI, MODELS, PRO, ModelInfo, find_model
from airelay.errors import RelayError
from airelay.gateway import gateway_options
from airelay.models import ChatCompletionRequest, RelayRequest, ResponsesRequest
from airelay.responses import json_response, stream_response
from airelay.routing import resolve
from airelay.settings import Settings
from airelay.types import JsonResult, Platform, Request, Response
from airelay.validation import read_json_object, validate

logger = logging.getLogger("airelay")

_API_ROUTES: dict[str, tuple[ModelInfo, type[RelayRequest]]] = {
    "chat": (MINI, ChatCompletionRequest),
    "responses": (PRO, ResponsesRequest),
}


async def handle(request: Request, platform: Platform) -> Response:
    """Answer one request; every failure becomes an OpenAI-shaped error, never an exception."""
    try:
        response = await _dispatch(request, platform)
    except RelayError as error:
        response = error.to_response()
    except Exception:
        # The traceback names code, not the request body, so prompts stay out of the logs.
        logger.exception("unhandled error on %s %s", request.method, request.path)
        response = RelayError(
            500, "The relay failed unexpectedly.", type="server_error", code="internal_error"
        ).to_response()
    if request.method == "HEAD":
        response.body, response.stream = b"", None
    return response


async def _dispatch(request: Request, platform: Platform) -> Response:
    route, param = resolve(request.method, request.path)
    if route.name == "health":
        return json_response(200, {"status": "ok", "version": __version__})
    if route.name == "models":
        return json_response(200, {"object": "list", "data": [m.card() for m in MODELS]})
    if route.name == "model":
        model = find_model(param)
        if model is None:
            raise _model_not_found(param)
        return json_response(200, model.card())
    model, schema = _API_ROUTES[route.name]
    settings = Settings.from_env(platform.env)
    return await _relay(request, platform, settings, model, schema)


async def _relay(
    request: Request,
    platform: Platform,
    settings: Settings,
    model: ModelInfo,
    schema: type[RelayRequest],
) -> Response:
    data = read_json_object(request)
    parsed = validate(schema, data)
    if parsed.model is not None and not model.accepts(parsed.model):
        raise _model_not_found(parsed.model, route_model=model)
    # The body goes on exactly as sent: validation only decides whether it may.
    inputs: dict[str, Any] = {key: value for key, value in data.items() if key != "model"}
    result = await platform.backend.run(model.binding_id, inputs, gateway_options(settings))
    headers = [("cf-aig-log-id", result.gateway_log_id)] if result.gateway_log_id else []
    if isinstance(result, JsonResult):
        if not isinstance(result.data, dict):
            raise RelayError(
                502, "The model answered with something other than a JSON object.",
                type="api_error", code="upstream_malformed",
            )
        return json_response(200, result.data, headers)
    return stream_response(result.stream, headers)


def _model_not_found(name: str, route_model: ModelInfo | None = None) -> RelayError:
    if route_model is not None and find_model(name) is not None:
        hint = f"this route serves {route_model.short_id} ({route_model.binding_id})"
    else:
        hint = "available: " + ", ".join(m.binding_id for m in MODELS)
    return RelayError(
        404, f"The model '{name}' does not exist or you do not have access to it; {hint}.",
        param="model", code="model_not_found",
    )
