"""GET and DELETE /v1/responses/{id}: served from the local model's store, refused on the Worker."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from airelay.backends.local import LocalModel
from airelay.backends.ratelimit import LocalRateLimiter
from airelay.backends.upstream.config import UpstreamConfig
from airelay.backends.upstream.http_backend import UpstreamBackend
from airelay.core.app import GUARDED_ROUTES, handle
from airelay.core.catalog import PRO
from airelay.core.endpoints import ENDPOINTS
from airelay.core.errors import RelayError
from airelay.core.stored import NOT_KEPT, RESPONSE_ID, stored_response
from airelay.core.tokens import mint_token
from airelay.core.types import Platform, Request
from tests.client import ANYONE, CoreClient, Result
from tests.fakes import run
from tests.token_support import HS_ENV, SECRET


class LocalRelay:
    """The core over one local model, as `airelay dev` runs it."""

    def __init__(self, env: dict[str, str] | None = None, limit: int | None = None) -> None:
        limiter = None if limit is None else LocalRateLimiter(limit, 60)
        self.platform = Platform(
            LocalModel(), env or dict(ANYONE), limiter, log=lambda record: None
        )

    def send(self, method: str, path: str, body: Any = None, key: str | None = None) -> Result:
        """Send one request and return the core's answer."""
        headers = [("content-type", "application/json")] if body is not None else []
        if key is not None:
            headers.append(("authorization", f"Bearer {key}"))
        raw = b"" if body is None else json.dumps(body).encode()
        return Result(run(handle(Request(method, path, headers, raw), self.platform)))


def test_a_stored_response_is_read_back_as_it_was_answered() -> None:
    relay = LocalRelay()
    created = relay.send("POST", PRO.path, {"input": "Keep this", "store": True}).json()
    read = relay.send("GET", f"{PRO.path}/{created['id']}")
    assert read.status == 200
    assert read.json() == created


def test_a_deleted_response_is_gone_and_cannot_be_continued() -> None:
    relay = LocalRelay()
    created = relay.send("POST", PRO.path, {"input": "Keep this", "store": True}).json()
    deleted = relay.send("DELETE", f"{PRO.path}/{created['id']}")
    assert deleted.json() == {"id": created["id"], "object": "response", "deleted": True}
    assert relay.send("GET", f"{PRO.path}/{created['id']}").status == 404
    assert relay.send("DELETE", f"{PRO.path}/{created['id']}").status == 404
    follow = relay.send("POST", PRO.path, {"input": "hi", "previous_response_id": created["id"]})
    assert follow.status == 400
    assert follow.error["code"] == "previous_response_not_found"


def test_an_unknown_or_unstored_response_is_a_404_naming_it() -> None:
    relay = LocalRelay()
    unstored = relay.send("POST", PRO.path, {"input": "hi"}).json()
    for ident in (unstored["id"], "resp_nope"):
        result = relay.send("GET", f"{PRO.path}/{ident}")
        assert result.status == 404
        assert result.error["message"] == f"Response with id '{ident}' not found."
        assert result.error["param"] == "response_id"


def test_an_unknown_previous_response_id_is_openais_400_through_the_relay() -> None:
    relay = LocalRelay()
    result = relay.send("POST", PRO.path, {"input": "hi", "previous_response_id": "resp_abc"})
    assert result.status == 400
    assert result.error == {
        "message": "Previous response with id 'resp_abc' not found.",
        "type": "invalid_request_error",
        "param": "previous_response_id",
        "code": "previous_response_not_found",
    }


def test_reading_stored_responses_needs_a_key_like_any_model_endpoint() -> None:
    relay = LocalRelay({"API_KEYS": "sk-test-0123456789abcdef"})
    created = relay.send(
        "POST", PRO.path, {"input": "hi", "store": True}, key="sk-test-0123456789abcdef"
    ).json()
    assert relay.send("GET", f"{PRO.path}/{created['id']}").status == 401


def test_a_backend_that_keeps_no_responses_says_why_with_a_404() -> None:
    result = CoreClient().get(f"{PRO.path}/resp_abc")
    assert result.status == 404
    assert result.error["message"] == NOT_KEPT
    assert "offers only `run`" in NOT_KEPT


def test_other_methods_on_a_stored_response_get_405_listing_get_and_delete() -> None:
    result = CoreClient().post(f"{PRO.path}/resp_abc", json={})
    assert result.status == 405
    assert result.header("allow") == "GET, DELETE, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_token_scoped_to_chat_may_not_touch_stored_responses(method: str) -> None:
    relay = LocalRelay(dict(HS_ENV))
    owner = mint_token(SECRET, "alice")
    created = relay.send("POST", PRO.path, {"input": "Keep this", "store": True}, key=owner).json()
    chat_only = mint_token(SECRET, "mallory", routes=["chat"])
    result = relay.send(method, f"{PRO.path}/{created['id']}", key=chat_only)
    assert (result.status, result.error["code"]) == (403, "token_scope")
    assert relay.send("GET", f"{PRO.path}/{created['id']}", key=owner).status == 200


def test_a_token_scoped_to_responses_reads_stored_responses() -> None:
    relay = LocalRelay(dict(HS_ENV))
    token = mint_token(SECRET, "alice", routes=["responses"])
    created = relay.send("POST", PRO.path, {"input": "Keep this", "store": True}, key=token).json()
    assert relay.send("GET", f"{PRO.path}/{created['id']}", key=token).status == 200
    assert relay.send("DELETE", f"{PRO.path}/{created['id']}", key=token).status == 200


def test_stored_responses_count_against_the_rate_limit() -> None:
    key = "sk-test-0123456789abcdef"
    relay = LocalRelay({"API_KEYS": key}, limit=2)
    created = relay.send("POST", PRO.path, {"input": "hi", "store": True}, key=key).json()
    assert relay.send("GET", f"{PRO.path}/{created['id']}", key=key).status == 200
    for method in ("GET", "DELETE"):
        result = relay.send(method, f"{PRO.path}/{created['id']}", key=key)
        assert (result.status, result.error["code"]) == (429, "rate_limit_exceeded")
    # The model list is the relay's own table: it reaches no backend and is not counted.
    assert relay.send("GET", "/v1/models", key=key).status == 200


class Upstream:
    """An OpenAI-compatible upstream that records every request and answers a stored response."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.backend = UpstreamBackend(
            UpstreamConfig("http://upstream.test/v1", api_key="sk-operator-0123456789"),
            httpx.MockTransport(self.answer),
        )

    def answer(self, request: httpx.Request) -> httpx.Response:
        """Record the raw path asked for; answer as the upstream's API root would."""
        self.paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"id": "resp_abc", "object": "response"})

    def send(self, method: str, raw_path: str) -> Result:
        """Send one request to the core over this upstream, the path as a client sent it."""
        platform = Platform(self.backend, dict(ANYONE), log=lambda record: None)
        return Result(run(handle(Request(method, raw_path, [], b""), platform)))


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize(
    "raw_id",
    ["..", "%2e%2e", "%2E%2E", ".", "%2e", "resp_1.json", "a%2Fb", "resp%20x", "r" * 129],
    ids=[
        "dots",
        "encoded-dots",
        "upper-dots",
        "dot",
        "encoded-dot",
        "dotted",
        "slash",
        "space",
        "long",
    ],
)
def test_a_malformed_response_id_is_a_400_and_never_reaches_the_upstream(
    method: str, raw_id: str
) -> None:
    upstream = Upstream()
    result = upstream.send(method, f"{PRO.path}/{raw_id}")
    assert (result.status, result.error["param"], result.error["code"]) == (
        400,
        "response_id",
        "invalid_value",
    )
    assert upstream.paths == []


def test_a_well_formed_response_id_is_asked_of_the_upstream_under_responses() -> None:
    upstream = Upstream()
    assert upstream.send("GET", f"{PRO.path}/resp_abc-D_9").status == 200
    assert upstream.paths == ["/v1/responses/resp_abc-D_9"]


@pytest.mark.parametrize("response_id", ["..", ".", "..."])
def test_the_upstream_backend_never_builds_a_path_of_dots(response_id: str) -> None:
    upstream = Upstream()
    with pytest.raises(RelayError) as caught:
        run(upstream.backend.retrieve_response(response_id))
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    with pytest.raises(RelayError):
        run(upstream.backend.delete_response(response_id))
    assert upstream.paths == []


def test_the_local_models_response_ids_are_well_formed() -> None:
    created = LocalRelay().send("POST", PRO.path, {"input": "hi", "store": True}).json()
    assert RESPONSE_ID.fullmatch(created["id"])


def test_every_endpoint_that_reaches_a_backend_is_scoped_and_rate_limited() -> None:
    reaching = {
        endpoint.name
        for endpoint in ENDPOINTS
        if endpoint.model_route is not None or endpoint.handler is stored_response
    }
    assert reaching == set(GUARDED_ROUTES)
    assert {GUARDED_ROUTES[name] for name in reaching} == {"chat", "responses"}
