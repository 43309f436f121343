"""The OpenAPI 3.1 document: valid, generated from the request models, served by the relay."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from airelay.backends.local import LocalModel
from airelay.core import openapi, sse
from airelay.core.cors import ALLOWED_HEADERS, EXPOSED_HEADERS
from airelay.core.endpoints import ENDPOINTS as ROUTES
from airelay.core.models import ChatCompletionRequest, ResponsesRequest
from airelay.core.types import JsonResult, StreamResult
from airelay.hosts.local import build_app
from tests.client import asgi_request
from tests.conftest import load_examples

DOC = openapi.document()
SCHEMAS = DOC["components"]["schemas"]
RELAY_PATHS = ("/v1/chat/completions", "/v1/responses")


def schema_validator(name: str) -> Draft202012Validator:
    """Return a JSON Schema validator for one component, its `$ref`s resolved in the document."""
    root = {"$ref": f"#/components/schemas/{name}", "components": DOC["components"]}
    return Draft202012Validator(root)


def get(
    path: str, env: Mapping[str, str], headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """GET `path` from the local host's ASGI app, in process."""
    return asgi_request(build_app(env, log=lambda _: None), "GET", path, headers=headers)


def collect(stream: Any) -> bytes:
    """Drain an async iterator of bytes."""

    async def drain() -> bytes:
        return b"".join([chunk async for chunk in stream])

    return asyncio.run(drain())


def run_local(model: str, inputs: dict[str, Any]) -> JsonResult | StreamResult:
    """Run the local model once."""
    return asyncio.run(LocalModel().run(model, inputs, {}))


# --- The document itself ----------------------------------------------------------------------


def test_document_validates_against_the_openapi_3_1_schema() -> None:
    assert DOC["openapi"].startswith("3.1.")
    validate(DOC, cls=OpenAPIV31SpecValidator)


def test_validator_rejects_a_broken_schema_so_the_check_means_something() -> None:
    broken = json.loads(json.dumps(DOC))
    broken["components"]["schemas"]["Health"]["properties"]["status"] = {"type": "bogus"}
    with pytest.raises(Exception, match="bogus"):
        validate(broken, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize(
    ("name", "model"),
    [("ChatCompletionRequest", ChatCompletionRequest), ("ResponsesRequest", ResponsesRequest)],
)
def test_request_schemas_are_the_pydantic_models_schemas(name: str, model: Any) -> None:
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = generated.pop("$defs")
    assert SCHEMAS[name] == generated
    for nested, schema in definitions.items():
        assert SCHEMAS[nested] == schema, nested


def test_request_schemas_carry_the_model_cards_bounds() -> None:
    def number_branch(prop: dict[str, Any]) -> dict[str, Any]:
        return next(b for b in prop["anyOf"] if b.get("type") == "number")

    for name in ("ChatCompletionRequest", "ResponsesRequest"):
        temperature = number_branch(SCHEMAS[name]["properties"]["temperature"])
        assert (temperature["minimum"], temperature["maximum"]) == (0, 2), name
        top_p = number_branch(SCHEMAS[name]["properties"]["top_p"])
        assert (top_p["minimum"], top_p["maximum"]) == (0, 1), name
    assert SCHEMAS["ChatCompletionRequest"]["required"] == ["messages"]
    assert SCHEMAS["ResponsesRequest"]["required"] == ["input"]
    effort = SCHEMAS["Reasoning"]["properties"]["effort"]["anyOf"][0]["enum"]
    assert effort == ["none", "minimal", "low", "medium", "high", "xhigh", "max"]
    assert SCHEMAS["ChatCompletionRequest"]["additionalProperties"] is False


def test_every_route_is_documented_with_its_methods() -> None:
    for route in ROUTES:
        path = route.path + "{model}" if route.path.endswith("/") else route.path
        assert path in DOC["paths"], path
        assert set(DOC["paths"][path]) == {m.lower() for m in route.methods}, path


@pytest.mark.parametrize("path", RELAY_PATHS)
def test_relay_routes_document_every_error_in_the_openai_shape(path: str) -> None:
    responses = DOC["paths"][path]["post"]["responses"]
    expected = {"400", "401", "404", "405", "413", "415", "429", "500", "502", "504"}
    assert expected <= set(responses)
    for status in expected:
        component = DOC["components"]["responses"][f"Error{status}"]
        assert responses[status] == {"$ref": f"#/components/responses/Error{status}"}
        assert component["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    assert "retry-after" in DOC["components"]["responses"]["Error429"]["headers"]
    error = SCHEMAS["ErrorDetail"]
    assert set(error["required"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize(
    ("path", "body", "chunk"),
    [
        ("/v1/chat/completions", "ChatCompletion", "ChatCompletionChunk"),
        ("/v1/responses", "ResponseObject", "ResponseStreamEvent"),
    ],
)
def test_relay_routes_answer_json_or_server_sent_events(path: str, body: str, chunk: str) -> None:
    operation = DOC["paths"][path]["post"]
    ok = operation["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{body}"}
    assert chunk in ok["content"]["text/event-stream"]["schema"]["description"]
    assert chunk in SCHEMAS
    assert set(ok["headers"]) == {"x-request-id", "cf-aig-log-id", "cf-aig-cache-status"}
    assert operation["requestBody"]["required"] is True


@pytest.mark.parametrize("path", RELAY_PATHS)
def test_relay_routes_take_the_caller_settable_gateway_headers(path: str) -> None:
    parameters = [
        DOC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        for p in DOC["paths"][path]["post"]["parameters"]
    ]
    names = {p["name"] for p in parameters}
    assert names == {
        "cf-aig-skip-cache",
        "cf-aig-cache-ttl",
        "cf-aig-event-id",
        "cf-aig-metadata",
        "cf-aig-cache-key",
    }
    assert all(p["in"] == "header" and not p["required"] for p in parameters)
    # A browser can only send them if CORS grants them.
    assert names <= ALLOWED_HEADERS
    types = {p["name"]: p["schema"]["type"] for p in parameters}
    assert types["cf-aig-skip-cache"] == "boolean"
    assert types["cf-aig-cache-ttl"] == "integer"
    assert "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY" in next(
        p["description"] for p in parameters if p["name"] == "cf-aig-cache-key"
    )


def test_headers_exposed_to_browsers_are_documented_where_the_relay_sets_them() -> None:
    documented = set(DOC["components"]["headers"])
    exposed = {h.strip() for h in EXPOSED_HEADERS.split(",")}
    assert exposed <= documented


def test_bearer_auth_is_declared_and_optional_only_for_public_routes() -> None:
    scheme = DOC["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert {"bearerAuth": []} in DOC["security"]
    assert DOC["paths"]["/health"]["get"]["security"] == []
    assert DOC["paths"]["/openapi.json"]["get"]["security"] == []
    assert "security" not in DOC["paths"]["/v1/responses"]["post"]


# --- Served by the relay ------------------------------------------------------------------------


def test_get_openapi_json_serves_the_document_without_a_key() -> None:
    env = {"API_KEYS": "sk-test-1"}
    response = get("/openapi.json", env)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(json.dumps(DOC))
    assert get("/v1/models", env).status_code == 401


def test_head_openapi_json_answers_without_a_body() -> None:
    response = asgi_request(build_app({}, log=lambda _: None), "HEAD", "/openapi.json")
    assert response.status_code == 200
    assert response.content == b""


def test_served_document_is_the_one_the_models_build() -> None:
    text = openapi.RENDERED.read_text()
    assert text == openapi.render_module(), "run: .venv/bin/python -m airelay.core.openapi"
    assert get("/openapi.json", {}).content == json.dumps(DOC, separators=(",", ":")).encode()


def test_serving_the_document_never_builds_it() -> None:
    probe = (
        "import asyncio, sys; from airelay.core.endpoints import ENDPOINTS; "
        "served = next(e for e in ENDPOINTS if e.path == '/openapi.json'); "
        "response = asyncio.run(served.handler(None)); "
        "assert response.body.startswith(b'{\"openapi\"'), response; "
        "print(sorted(m for m in sys.modules if m == 'airelay.core.openapi'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_document_is_built_on_first_use_not_at_import() -> None:
    probe = (
        "import airelay.core.app, airelay.core.openapi as o; "
        "assert o.document.cache_info().currsize == 0; "
        "assert o.document() is o.document(); "
        "print(o.document.cache_info().misses)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "1"


# --- The schemas describe what the relay really accepts and answers -------------------------


@pytest.mark.parametrize(
    ("card", "schema"),
    [("gpt-5.4-mini", "ChatCompletionRequest"), ("gpt-5.4-pro", "ResponsesRequest")],
)
def test_model_card_examples_satisfy_the_request_schemas(card: str, schema: str) -> None:
    validator = schema_validator(schema)
    for example in load_examples(card):
        errors = list(validator.iter_errors(example["request"]))
        assert not errors, (example["name"], errors[0].message if errors else None)


@pytest.mark.parametrize("schema", ["ChatCompletionRequest", "ResponsesRequest"])
def test_request_schemas_reject_an_out_of_range_temperature(schema: str) -> None:
    body: dict[str, Any] = (
        {"messages": [{"role": "user", "content": "hi"}]}
        if schema == "ChatCompletionRequest"
        else {"input": "hi"}
    )
    validator = schema_validator(schema)
    assert validator.is_valid({**body, "temperature": 2})
    assert not validator.is_valid({**body, "temperature": 2.5})
    assert not validator.is_valid({**body, "unknown_field": 1})


def test_local_chat_answers_match_the_documented_shapes() -> None:
    inputs = {"messages": [{"role": "user", "content": "hello there"}]}
    result = run_local("openai/gpt-5.4-mini", inputs)
    assert isinstance(result, JsonResult)
    schema_validator("ChatCompletion").validate(result.data)

    streamed = run_local(
        "openai/gpt-5.4-mini",
        {**inputs, "stream": True, "stream_options": {"include_usage": True}},
    )
    assert isinstance(streamed, StreamResult)
    decoder = sse.Decoder()
    events = decoder.decode(collect(streamed.stream))
    chunk = schema_validator("ChatCompletionChunk")
    assert events[-1].data == "[DONE]"
    for event in events[:-1]:
        chunk.validate(event.json())
    assert events[-2].json()["usage"]["total_tokens"] > 0


def test_local_and_recorded_responses_match_the_documented_shapes() -> None:
    response = schema_validator("ResponseObject")
    for example in load_examples("gpt-5.4-pro"):
        response.validate(example["response"])
    result = run_local("openai/gpt-5.4-pro", {"input": "hello there"})
    assert isinstance(result, JsonResult)
    response.validate(result.data)

    streamed = run_local("openai/gpt-5.4-pro", {"input": "hello there", "stream": True})
    assert isinstance(streamed, StreamResult)
    events = sse.Decoder().decode(collect(streamed.stream))
    event_schema = schema_validator("ResponseStreamEvent")
    for event in events:
        payload = event.json()
        event_schema.validate(payload)
        assert payload["type"] == event.event
    assert events[-1].event == "response.completed"


def test_error_answers_match_the_documented_error_shape() -> None:
    error = schema_validator("ErrorResponse")
    unauthorised = get("/v1/models", {"API_KEYS": "sk-test-1"})
    assert unauthorised.status_code == 401
    error.validate(unauthorised.json())
    assert unauthorised.json()["error"]["code"] == "invalid_api_key"
    missing = get("/nowhere", {})
    assert missing.status_code == 404
    error.validate(missing.json())
