"""The relay's endpoints as data: one entry each, read by routing, CORS, OpenAPI and the hosts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from airelay import __version__
from airelay.core import relay, stored
from airelay.core.catalog import MINI, MODELS, PRO, Api, ModelInfo, find_model, model_not_found
from airelay.core.context import Context
from airelay.core.limits import MAX_MINI_OUTPUT_TOKENS, MAX_PRO_OUTPUT_TOKENS
from airelay.core.models import ChatCompletionRequest, RelayRequest, ResponsesRequest

# Imported here, so that the Worker's snapshot holds it: 127 KB of bytes whose import (the
# module compiled) cost the first /openapi.json 4 to 16 ms when left to it.
from airelay.core.openapi_rendered import DOCUMENT as OPENAPI_DOCUMENT
from airelay.core.responses import json_response
from airelay.core.streams import StreamError, chat_stream_error, responses_stream_error
from airelay.core.types import Response

EndpointHandler = Callable[[Context], Awaitable[Response]]


@dataclass(frozen=True)
class ModelRoute:
    """What a model endpoint relays: its model, wire format, request schema and bounds."""

    model: ModelInfo
    schema: type[RelayRequest]
    # The caller's output-token fields, the first being the one the relay fills in.
    output_fields: tuple[str, ...]
    max_output_tokens: int
    stream_error: StreamError
    # For OpenAPI: the answer's schema, what a stream holds, and an example request.
    result_schema: str
    stream_doc: str
    example: dict[str, Any]

    @property
    def api(self) -> Api:
        """Return the wire format of the route's model."""
        return self.model.api


@dataclass(frozen=True)
class Doc:
    """How OpenAPI describes an endpoint."""

    operation_id: str
    summary: str
    tag: Literal["models", "meta"]
    result_schema: str | None
    result_doc: str = ""
    errors: tuple[str, ...] = ()
    parameter_doc: str = ""
    parameter_example: str = MINI.short_id
    # How OpenAPI describes the endpoint's other methods, when they differ from the first.
    other_methods: tuple[tuple[str, Doc], ...] = ()

    def of(self, method: str) -> Doc:
        """Return the description of `method`."""
        return dict(self.other_methods).get(method, self)


@dataclass(frozen=True)
class Endpoint:
    """A path, its methods and its handler (after Starlette's `Route`)."""

    name: str
    path: str  # a trailing `{name}` segment matches one path parameter
    methods: tuple[str, ...]
    handler: EndpointHandler
    doc: Doc
    # Public endpoints need no key and answer even while a variable is misconfigured.
    public: bool = False
    model_route: ModelRoute | None = field(default=None)

    @property
    def prefix(self) -> str:
        """Return the literal part of the path, before any `{parameter}`."""
        return self.path.split("{", 1)[0]

    @property
    def has_parameter(self) -> bool:
        """Tell whether the path ends in a parameter."""
        return "{" in self.path

    def allowed(self) -> tuple[str, ...]:
        """Return every method the endpoint answers, for `Allow` (RFC 9110 10.2.1)."""
        # HEAD is served wherever GET is, and OPTIONS everywhere (CORS preflights).
        head = ("HEAD",) if "GET" in self.methods else ()
        return (*self.methods, *head, "OPTIONS")


async def _health(context: Context) -> Response:
    return json_response(200, {"status": "ok", "version": __version__})


async def _openapi(context: Context) -> Response:
    # Pre-rendered at build time (core/openapi.py): built from the models, the document costs
    # ~106 ms in Pyodide (bench/worker_pyodide.py), paid by every fresh isolate's first ask.
    return json_response(200, None, body=OPENAPI_DOCUMENT)


async def _list_models(context: Context) -> Response:
    return json_response(200, {"object": "list", "data": [m.card() for m in MODELS]})


async def _retrieve_model(context: Context) -> Response:
    # The Worker sees the raw path, the local host a decoded one: `openai%2Fgpt-5.4-mini`
    # (how typed clients send a path parameter) must find the model on both.
    name = unquote(context.param)
    model = find_model(name)
    if model is None:
        raise model_not_found(name)
    return json_response(200, model.card())


def _relayed(name: str, operation_id: str, summary: str, route: ModelRoute) -> Endpoint:
    """Return the endpoint of a model: POST at the model's path, relayed to it."""
    model = route.model
    doc = Doc(operation_id, f"{summary} with {model.binding_id}", "models", None)
    return Endpoint(name, model.path, ("POST",), relay.relay, doc, model_route=route)


RELAY_ERRORS = ("400", "401", "403", "404", "405", "413", "415", "429", "500", "502", "503", "504")
# The model list is not rate-limited; stored responses are, and are scoped (core/app.py).
_READ_ERRORS = ("401", "404", "405", "500", "503")
_STORED_ERRORS = ("401", "403", "404", "405", "429", "500", "503")

ENDPOINTS: tuple[Endpoint, ...] = (
    _relayed(
        "chat",
        "createChatCompletion",
        "Chat completion",
        ModelRoute(
            model=MINI,
            schema=ChatCompletionRequest,
            output_fields=("max_completion_tokens", "max_tokens"),
            max_output_tokens=MAX_MINI_OUTPUT_TOKENS,
            stream_error=chat_stream_error,
            result_schema="ChatCompletion",
            stream_doc="`data:` lines, each a ChatCompletionChunk, then `data: [DONE]`.",
            example={
                "messages": [{"role": "user", "content": "Hello!"}],
                "stream": True,
                "stream_options": {"include_usage": True},
            },
        ),
    ),
    _relayed(
        "responses",
        "createResponse",
        "Response",
        ModelRoute(
            model=PRO,
            schema=ResponsesRequest,
            output_fields=("max_output_tokens",),
            max_output_tokens=MAX_PRO_OUTPUT_TOKENS,
            stream_error=responses_stream_error,
            result_schema="ResponseObject",
            stream_doc="Events named by `event:` lines, each `data:` a ResponseStreamEvent; ends "
            "with `response.completed`, `response.incomplete`, `response.failed` or `error`.",
            example={"input": "Hello!", "reasoning": {"effort": "low"}, "stream": True},
        ),
    ),
    Endpoint(
        "response",
        f"{PRO.path}/{{response_id}}",
        ("GET", "DELETE"),
        stored.stored_response,
        Doc(
            "getResponse",
            "Read a stored response",
            "models",
            "ResponseObject",
            "The response as it was answered.",
            _STORED_ERRORS,
            parameter_doc="The id of a response created with `store: true`. Served by the local "
            "host's built-in model; the Worker answers 404 (the binding offers only `run`).",
            parameter_example="resp_local0123456789abcdef",
            other_methods=(
                (
                    "DELETE",
                    Doc(
                        "deleteResponse",
                        "Delete a stored response",
                        "models",
                        "DeletedResponse",
                        "The response was deleted.",
                        _STORED_ERRORS,
                    ),
                ),
            ),
        ),
    ),
    Endpoint(
        "models",
        "/v1/models",
        ("GET",),
        _list_models,
        Doc("listModels", "List the models", "models", "ModelList", "The models.", _READ_ERRORS),
    ),
    Endpoint(
        "model",
        "/v1/models/{model}",
        ("GET",),
        _retrieve_model,
        Doc(
            "retrieveModel",
            "Describe one model",
            "models",
            "Model",
            "The model.",
            _READ_ERRORS,
            parameter_doc=f"A model id ({MINI.binding_id}) or its short form ({MINI.short_id}); "
            "the slash of a full id is sent as is.",
        ),
    ),
    Endpoint(
        "health",
        "/health",
        ("GET",),
        _health,
        Doc(
            "getHealth",
            "Liveness check",
            "meta",
            "Health",
            "The relay is up.",
            ("404", "405", "500"),
        ),
        public=True,
    ),
    Endpoint(
        "openapi",
        "/openapi.json",
        ("GET",),
        _openapi,
        Doc("getOpenApi", "This document", "meta", None, "The OpenAPI 3.1 document."),
        public=True,
    ),
)
