"""The endpoint table drives routing, `Allow`, OpenAPI, the model list and the local model."""

from __future__ import annotations

from typing import Any

import pytest

from airelay.backends.local import LocalModel
from airelay.core import openapi
from airelay.core.catalog import MODELS
from airelay.core.endpoints import ENDPOINTS
from airelay.core.routing import match, resolve
from airelay.core.types import JsonResult
from tests.client import CoreClient
from tests.fakes import model_route, run


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_endpoint_is_routed_by_its_own_path_and_methods(endpoint: Any) -> None:
    path = endpoint.prefix + "gpt-5.4-mini" if endpoint.has_parameter else endpoint.path
    for method in endpoint.methods:
        assert resolve(method, path) == (endpoint, "gpt-5.4-mini" if endpoint.has_parameter else "")


def test_no_parameterised_path_matches_a_plain_one() -> None:
    # Routing looks plain paths up first (core/routing.py): only sound while none is shadowed.
    plain = [e.path for e in ENDPOINTS if not e.has_parameter]
    for endpoint in (e for e in ENDPOINTS if e.has_parameter):
        assert [path for path in plain if match(endpoint, path) is not None] == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_endpoint_is_documented_in_openapi_with_its_methods(endpoint: Any) -> None:
    operations = openapi.document()["paths"][endpoint.path]
    assert set(operations) == {method.lower() for method in endpoint.methods}
    assert operations[endpoint.methods[0].lower()]["operationId"] == endpoint.doc.operation_id


def test_openapi_documents_no_path_the_table_lacks() -> None:
    assert set(openapi.document()["paths"]) == {endpoint.path for endpoint in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_preflight_offers_the_endpoints_own_methods(endpoint: Any) -> None:
    path = endpoint.prefix + "gpt-5.4-mini" if endpoint.has_parameter else endpoint.path
    answer = CoreClient().options(path)
    assert answer.status == 204
    assert answer.header("allow") == ", ".join(endpoint.allowed())


def test_each_model_has_exactly_one_endpoint() -> None:
    for model in MODELS:
        serving = [
            e for e in ENDPOINTS if e.model_route is not None and e.model_route.model == model
        ]
        endpoint, _ = resolve("POST", model.path)
        assert serving == [endpoint]


def test_each_model_is_served_at_its_own_path_in_its_own_wire_format() -> None:
    for model in MODELS:
        endpoint, _ = resolve("POST", model.path)
        assert endpoint.path == model.path
        assert endpoint.model_route is not None
        assert endpoint.model_route.model == model
        assert endpoint.model_route.api == model.api
    assert [(m.api, m.path) for m in MODELS] == [
        ("chat.completions", "/v1/chat/completions"),
        ("responses", "/v1/responses"),
    ]


def test_the_local_model_answers_in_the_format_of_the_endpoint_that_serves_the_model() -> None:
    formats = {"chat.completions": "chat.completion", "responses": "response"}
    for model in MODELS:
        route = model_route(model.binding_id)
        inputs = route.example | {"stream": False}
        result = run(LocalModel().run(model.binding_id, inputs, {}))
        assert isinstance(result, JsonResult)
        assert result.data["object"] == formats[route.api]


def test_an_output_cap_fills_the_first_output_field_of_the_route() -> None:
    for endpoint in ENDPOINTS:
        route = endpoint.model_route
        if route is None:
            continue
        client = CoreClient(env={"ALLOW_ANONYMOUS": "true", "MAX_OUTPUT_TOKENS": "7"})
        assert client.post(endpoint.path, json=route.example).status == 200
        assert client.backend.call.inputs[route.output_fields[0]] == 7
