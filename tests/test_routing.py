"""Routing: each path to its route, 404 for unknown paths, 405 with `Allow` for methods."""

from __future__ import annotations

import pytest

from airelay.core.endpoints import ENDPOINTS as ROUTES
from airelay.core.errors import RelayError
from airelay.core.routing import resolve


def refused(method: str, path: str) -> RelayError:
    """Resolve, expecting a RelayError."""
    with pytest.raises(RelayError) as caught:
        resolve(method, path)
    return caught.value


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("POST", "/v1/chat/completions", "chat"),
        ("POST", "/v1/responses", "responses"),
        ("GET", "/v1/models", "models"),
        ("GET", "/health", "health"),
        ("GET", "/openapi.json", "openapi"),
    ],
)
def test_each_route_is_found_by_its_method_and_path(method: str, path: str, name: str) -> None:
    route, param = resolve(method, path)
    assert (route.name, param) == (name, "")


@pytest.mark.parametrize("path", ["/v1/chat/completions/", "/v1/chat/completions//"])
def test_a_trailing_slash_is_ignored(path: str) -> None:
    assert resolve("POST", path)[0].name == "chat"


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/models/gpt-5.4-mini", "gpt-5.4-mini"),
        ("/v1/models/openai/gpt-5.4-pro", "openai/gpt-5.4-pro"),  # the id's own slash
        ("/v1/models/gpt-5.4-mini/", "gpt-5.4-mini"),
    ],
)
def test_a_model_path_carries_the_model_id(path: str, param: str) -> None:
    route, found = resolve("GET", path)
    assert (route.name, found) == ("model", param)


@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/"])
def test_the_model_list_is_not_mistaken_for_a_model_with_an_empty_id(path: str) -> None:
    assert resolve("GET", path) == (next(r for r in ROUTES if r.name == "models"), "")


@pytest.mark.parametrize(
    "path", ["/", "/v1", "/v1/chat", "/v1/chat/completions/x", "/v2/responses"]
)
def test_an_unknown_path_is_404_naming_it(path: str) -> None:
    error = refused("POST", path)
    assert (error.status, error.code) == (404, "not_found")
    assert path in error.message


def test_a_get_route_answers_head() -> None:
    assert resolve("HEAD", "/health")[0].name == "health"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD"])
def test_a_wrong_method_on_a_post_route_is_405_with_allow_post(method: str) -> None:
    error = refused(method, "/v1/responses")
    assert (error.status, error.code) == (405, "method_not_allowed")
    assert dict(error.headers) == {"allow": "POST, OPTIONS"}
    assert method in error.message


def test_a_wrong_method_on_a_get_route_is_405_allowing_get_and_head() -> None:
    # HEAD is answered wherever GET is, so `Allow` must say so (RFC 9110 10.2.1).
    error = refused("POST", "/v1/models")
    assert error.status == 405
    assert dict(error.headers) == {"allow": "GET, HEAD, OPTIONS"}
