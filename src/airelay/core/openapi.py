"""Build the relay's OpenAPI 3.1 document from the pydantic models that validate requests.

The relay serves it pre-rendered (core/openapi_rendered.py, written by
`python -m airelay.core.openapi`; tests/test_openapi.py fails when it drifts from the code): built
here, it costs ~106 ms in Pyodide, on the first request of every fresh isolate. Neither host
imports this module at run time; the glue never does.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from airelay import __version__
from airelay.core.catalog import MINI, PRO
from airelay.core.endpoints import ENDPOINTS, RELAY_ERRORS, Endpoint
from airelay.core.gateway import CALLER_HEADERS
from airelay.core.headers import DOCUMENTED, EVERY, MODEL, MODEL_SUCCESS, carried_on
from airelay.core.jsonio import dumps
from airelay.core.models import ChatCompletionRequest, ResponsesRequest

OPENAPI_VERSION = "3.1.1"
SCHEMAS = "#/components/schemas/"
_REF_TEMPLATE = SCHEMAS + "{model}"

# --- Response bodies ---------------------------------------------------------------------------
# Documentation only: the relay passes model output through untouched, so these name the fields
# callers rely on and allow every other field (upstream adds fields without notice).


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    """What went wrong, in OpenAI's error shape."""

    message: str
    type: str = Field(description="invalid_request_error, requests (a 429), api_error, ...")
    param: str | None = Field(description="The request parameter at fault, if any.")
    code: str | None = Field(
        description="Machine-readable reason: invalid_api_key, rate_limit_exceeded, "
        "invalid_value, model_not_found, ..."
    )


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


class Model(BaseModel):
    """A model the relay serves."""

    id: str = Field(examples=[MINI.binding_id, PRO.binding_id])
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    """The models the relay serves."""

    object: Literal["list"]
    data: list[Model]


class Health(BaseModel):
    """The relay is up."""

    status: Literal["ok"]
    version: str


class ChatMessageOut(_Open):
    """The assistant's message."""

    role: Literal["assistant"]
    content: str | None
    refusal: str | None = None


class ChatChoice(_Open):
    """One completion choice."""

    index: int
    message: ChatMessageOut
    finish_reason: str | None


class ChatUsage(_Open):
    """Token counts of a chat completion."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(_Open):
    """A chat completion (`stream` false or absent)."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage | None = None


class ChatDelta(_Open):
    """The text (or role) added by one chunk."""

    role: str | None = None
    content: str | None = None
    refusal: str | None = None


class ChatChunkChoice(_Open):
    """One choice's increment."""

    index: int
    delta: ChatDelta
    finish_reason: str | None = None


class ChatCompletionChunk(_Open):
    """The JSON of each `data:` line of a streamed chat completion (the stream ends with
    `data: [DONE]`); with `stream_options.include_usage` a last chunk has `choices: []` and
    `usage`."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChatChunkChoice]
    usage: ChatUsage | None = None


class ResponseUsage(_Open):
    """Token counts of a response; `output_tokens` includes reasoning tokens."""

    input_tokens: int
    output_tokens: int
    total_tokens: int


class ResponseObject(_Open):
    """A Responses API `response` (`stream` false or absent): the text is in the `output_text`
    parts of the `message` items of `output`."""

    id: str
    object: Literal["response"]
    created_at: int
    model: str
    status: str = Field(description="completed, incomplete, failed, in_progress, ...")
    output: list[dict[str, Any]]
    usage: ResponseUsage | None = None


class DeletedResponse(BaseModel):
    """A stored response was deleted."""

    id: str
    object: Literal["response"]
    deleted: Literal[True]


class ResponseStreamEvent(_Open):
    """The JSON of each event of a streamed response; the SSE `event:` name equals `type`.
    Text arrives in `response.output_text.delta` (`delta`); the stream ends with
    `response.completed` (whose `response.usage` has the counts), `response.incomplete`,
    `response.failed` or `error`."""

    type: str = Field(examples=["response.output_text.delta", "response.completed"])
    sequence_number: int
    delta: str | None = None
    response: ResponseObject | None = None


_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (ChatCompletionRequest, "validation"),
    (ResponsesRequest, "validation"),
    *(
        (model, "serialization")
        for model in (
            ErrorResponse,
            Model,
            ModelList,
            Health,
            ChatCompletion,
            ChatCompletionChunk,
            ResponseObject,
            DeletedResponse,
            ResponseStreamEvent,
        )
    ),
]

# --- Errors, headers, parameters ---------------------------------------------------------------

_ERRORS = {
    "400": "The body is not valid JSON or breaks the route's schema, or a `cf-aig-*` header is "
    "invalid; `param` names the field or header. A tool type the operator's ALLOWED_TOOLS (or "
    "the caller's token) does not allow is `tool_not_allowed`, naming the tool and the allowed "
    "types; a `previous_response_id` that is not stored is `previous_response_not_found`.",
    "401": "The API key is missing or wrong (`code`: `invalid_api_key`), or the signed token "
    "failed a check (`token_expired`, `token_not_yet_valid`, `token_lifetime_too_long`, "
    "`invalid_token`).",
    "403": "The signed token does not allow this route (`code`: `token_scope`).",
    "404": "Unknown path, model or stored response (`code`: `not_found`, `model_not_found`).",
    "405": "The method is not allowed on this path; `Allow` lists the allowed ones.",
    "413": "The request body is too large.",
    "415": "The body is not `application/json`.",
    "429": "Too many requests (`code`: `rate_limit_exceeded`); retry after `Retry-After` seconds.",
    "500": "The relay failed or is misconfigured.",
    "502": "The model failed or answered something malformed.",
    "503": "The identity provider's signing keys (TOKEN_JWKS_URL) could not be fetched "
    "(`code`: `jwks_unavailable`); retry after `Retry-After` seconds.",
    "504": "The model did not answer in time.",
}

_RESPONSE_HEADERS = {
    header.name: {"description": header.description, "schema": dict(header.schema or {})}
    for header in DOCUMENTED
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": SCHEMAS + schema}}}


def _error_responses() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, description in _ERRORS.items():
        headers = {name: _ref("headers", name) for name in carried_on(EVERY, status)}
        responses[f"Error{status}"] = {
            "description": description,
            "headers": headers,
            "content": _json("ErrorResponse"),
        }
    return responses


def _errors(statuses: tuple[str, ...]) -> dict[str, Any]:
    return {status: _ref("responses", f"Error{status}") for status in statuses}


def _ok(description: str, content: dict[str, Any], gateway: bool = False) -> dict[str, Any]:
    names = carried_on(EVERY, MODEL, MODEL_SUCCESS) if gateway else carried_on(EVERY)
    headers = {name: _ref("headers", name) for name in names}
    return {"description": description, "headers": headers, "content": content}


# Per answer schema: the schema of each streamed event's `data`, and whether the stream ends
# with `data: [DONE]` (Chat Completions does; the Responses API names a last event instead).
_STREAM_EVENTS = {
    "ChatCompletion": ("ChatCompletionChunk", True),
    "ResponseObject": (
        "ResponseStreamEvent",
        False,
    ),
}


def _event_stream(description: str, result_schema: str) -> dict[str, Any]:
    """Describe a `text/event-stream` answer one event at a time, so tools can check each."""
    # OpenAPI 3.2 puts this schema under `itemSchema`; before 3.2 (this document is 3.1) the
    # media type's `schema` describes each event, as schemathesis reads it. An event is an
    # object of its SSE fields (OpenAPI 3.2 section 4.14.4.1); `data` holds JSON, described
    # with JSON Schema's contentMediaType and contentSchema (2020-12 validation section 8).
    schema_name, done = _STREAM_EVENTS[result_schema]
    payload = {
        "contentMediaType": "application/json",
        "contentSchema": {
            "anyOf": [{"$ref": SCHEMAS + schema_name}, {"$ref": SCHEMAS + "ErrorResponse"}]
        },
    }
    data: dict[str, Any] = {"type": "string"}
    if done:
        data["anyOf"] = [{"const": "[DONE]"}, payload]
    else:
        data.update(payload)
    event = {
        "type": "object",
        "description": description,
        "properties": {
            "event": {"type": "string"},
            "data": data,
            "id": {"type": "string"},
            "retry": {"type": "integer", "minimum": 0},
        },
        "required": ["data"],
    }
    return {"text/event-stream": {"schema": event}}


def _operation(endpoint: Endpoint, method: str) -> dict[str, Any]:
    doc = endpoint.doc.of(method)
    operation: dict[str, Any] = {
        "operationId": doc.operation_id,
        "summary": doc.summary,
        "tags": [doc.tag],
    }
    if endpoint.public:
        operation["security"] = []
    if endpoint.has_parameter:
        name = endpoint.path.rsplit("{", 1)[1].rstrip("}")
        operation["parameters"] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": endpoint.doc.parameter_doc,
                "schema": {"type": "string"},
                "example": endpoint.doc.parameter_example,
            }
        ]
    route = endpoint.model_route
    if route is not None:
        operation["parameters"] = [_ref("parameters", header.name) for header in CALLER_HEADERS]
        schema = {"$ref": SCHEMAS + route.schema.__name__}
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema, "example": route.example}},
        }
        ok = _ok(
            "The model's answer: JSON, or server-sent events when `stream` is true.",
            {**_json(route.result_schema), **_event_stream(route.stream_doc, route.result_schema)},
            gateway=True,
        )
        operation["responses"] = {"200": ok, **_errors(RELAY_ERRORS)}
        return operation
    if doc.result_schema is None:
        content = {"application/json": {"schema": {"type": "object"}}}
    else:
        content = _json(doc.result_schema)
    ok = _ok(doc.result_doc, content)
    operation["responses"] = {"200": ok, **_errors(doc.errors)}
    return operation


def _paths() -> dict[str, Any]:
    return {
        endpoint.path: {method.lower(): _operation(endpoint, method) for method in endpoint.methods}
        for endpoint in ENDPOINTS
    }


@functools.cache
def document() -> dict[str, Any]:
    """Return the OpenAPI document, built on first use and shared afterwards (do not mutate)."""
    _, generated = models_json_schema(_MODELS, ref_template=_REF_TEMPLATE)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "airelay",
            "version": __version__,
            "summary": "OpenAI-compatible relay to Workers AI.",
            "description": (
                f"`POST /v1/chat/completions` serves {MINI.binding_id} (Chat Completions) and "
                f"`POST /v1/responses` serves {PRO.binding_id} (Responses API). Request bodies "
                "are validated against the schemas below; valid bodies reach the model unchanged. "
                "Every tool type of the Responses API is accepted; the operator's ALLOWED_TOOLS "
                "narrows them. Responses created with `store: true` are kept by the local host's "
                "built-in model, continued by `previous_response_id` and served at "
                "`/v1/responses/{response_id}`."
            ),
        },
        "servers": [{"url": "/", "description": "The relay that served this document."}],
        "security": [{"bearerAuth": []}, {}],
        "tags": [
            {"name": "models", "description": "Model calls and the model list."},
            {"name": "meta", "description": "Health and this document."},
        ],
        "paths": _paths(),
        "components": {
            "schemas": generated["$defs"],
            "responses": _error_responses(),
            "parameters": {
                header.name: {
                    "name": header.name,
                    "in": "header",
                    "required": False,
                    "description": header.description,
                    "schema": header.schema,
                }
                for header in CALLER_HEADERS
            },
            "headers": _RESPONSE_HEADERS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <key>` with one of the operator's "
                    "API_KEYS, or a short-lived signed token (JWT) where the operator trusts "
                    "TOKEN_SECRETS or TOKEN_JWKS_URL (`api-key` and `x-api-key` headers work "
                    "too); not needed where the operator sets ALLOW_ANONYMOUS=true.",
                },
            },
        },
    }


RENDERED = Path(__file__).with_name("openapi_rendered.py")
_CHUNK = 88  # bytes of JSON per line of the rendered module, so that its lines stay short


def render_module() -> str:
    """Return the text of core/openapi_rendered.py: the document as the relay serves it."""
    body = dumps(document())
    lines = (f"    {_literal(body[at : at + _CHUNK])}" for at in range(0, len(body), _CHUNK))
    return (
        '"""The OpenAPI document as served, pre-rendered: `python -m airelay.core.openapi` '
        'writes it."""\n\n'
        "# Generated from core/openapi.py; do not edit. tests/test_openapi.py checks it.\n"
        "DOCUMENT = (\n" + "\n".join(lines) + "\n)\n"
    )


def _literal(chunk: bytes) -> str:
    """Return a bytes literal of `chunk`, quoted as `ruff format` quotes it."""
    quote = '"' if chunk.count(b'"') <= chunk.count(b"'") else "'"
    escapes = {ord("\\"): "\\\\", ord(quote): "\\" + quote}
    text = "".join(
        escapes.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}")
        for byte in chunk
    )
    return f"b{quote}{text}{quote}"


if __name__ == "__main__":
    RENDERED.write_text(render_module())
    sys.stdout.write(f"wrote {RENDERED}\n")
