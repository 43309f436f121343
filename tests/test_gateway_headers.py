"""Caller-settable gateway options (issue 4, rule 5): allowlisted `cf-aig-*` headers, validated."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import openai
import pytest

from airelay.core.auth import key_digest, key_id
from airelay.core.errors import RelayError
from airelay.core.gateway import MAX_METADATA_ENTRIES, caller_options, gateway_options
from airelay.core.settings import Settings
from airelay.core.types import Request
from airelay.hosts.local import build_app
from tests.client import CoreClient, Result, asgi_sdk
from tests.fakes import run

KEY = "sk-gateway-key-61b0aa"
KEY_ID = key_id(key_digest(KEY))
ENV = {"API_KEYS": KEY}
CHAT = json.dumps({"messages": [{"role": "user", "content": "cache me"}]}).encode()
RELAY_METADATA = {"route": "chat", "key_id": KEY_ID}


def with_headers(*headers: tuple[str, str]) -> Request:
    """Return a chat request carrying `headers`."""
    return Request("POST", "/v1/chat/completions", headers, CHAT)


def options(*headers: tuple[str, str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the caller options `headers` map to under `env`."""
    return caller_options(Settings.from_env(env or {}).gateway, with_headers(*headers))


def refused(*headers: tuple[str, str], env: Mapping[str, str] | None = None) -> RelayError:
    """Return the 400 that `headers` cause under `env`."""
    with pytest.raises(RelayError) as caught:
        gateway_options(
            Settings.from_env(env or {}).gateway, with_headers(*headers), RELAY_METADATA
        )
    assert caught.value.status == 400
    assert caught.value.code == "invalid_header"
    return caught.value


def keyed_chat(client: CoreClient, *headers: tuple[str, str]) -> Result:
    """POST the chat body with the key and `headers`."""
    return client.post(
        "/v1/chat/completions", content=CHAT, headers=(("authorization", f"Bearer {KEY}"), *headers)
    )


# --- each header ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False)],
)
def test_skip_cache_maps_to_skip_cache(value: str, expected: bool) -> None:
    assert options(("cf-aig-skip-cache", value)) == {"skipCache": expected}


@pytest.mark.parametrize("value", ["yes", "", "2", "truth"])
def test_a_bad_skip_cache_is_400_naming_the_header(value: str) -> None:
    error = refused(("cf-aig-skip-cache", value))
    assert error.param == "cf-aig-skip-cache"
    assert "cf-aig-skip-cache" in error.message


@pytest.mark.parametrize("value", ["60", "3600", "2592000", " 120 "])
def test_cache_ttl_within_bounds_maps_to_cache_ttl(value: str) -> None:
    assert options(("cf-aig-cache-ttl", value)) == {"cacheTtl": int(value)}


@pytest.mark.parametrize(
    "value",
    ["59", "0", "2592001", "-60", "1e3", "60.5", "abc", "", "\xb2", "\u0661" * 3, "9" * 5000],
)
def test_a_bad_cache_ttl_is_400_naming_the_header_and_bounds(value: str) -> None:
    error = refused(("cf-aig-cache-ttl", value))
    assert error.param == "cf-aig-cache-ttl"
    assert "from 60 to 2592000" in error.message


def test_cache_ttl_stays_within_the_operators_ceiling() -> None:
    env = {"AI_GATEWAY_MAX_CALLER_CACHE_TTL": "3600"}
    assert options(("cf-aig-cache-ttl", "3600"), env=env) == {"cacheTtl": 3600}
    error = refused(("cf-aig-cache-ttl", "3601"), env=env)
    assert "from 60 to 3600" in error.message


@pytest.mark.parametrize("value", ["evt-1", "a" * 128, "order:42/attempt#1"])
def test_event_id_maps_to_event_id(value: str) -> None:
    assert options(("cf-aig-event-id", value)) == {"eventId": value}


@pytest.mark.parametrize("value", ["", "a" * 129, "two words", "caf\xe9", "evt\n", "tab\there"])
def test_a_bad_event_id_is_400_naming_the_header(value: str) -> None:
    assert refused(("cf-aig-event-id", value)).param == "cf-aig-event-id"


def test_cache_key_is_refused_unless_the_operator_allows_it() -> None:
    error = refused(("cf-aig-cache-key", "shared"))
    assert error.param == "cf-aig-cache-key"
    assert "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY" in error.message


def test_cache_key_is_passed_when_the_operator_allows_it() -> None:
    env = {"AI_GATEWAY_ALLOW_CALLER_CACHE_KEY": "true"}
    assert options(("cf-aig-cache-key", "tenant-7:faq"), env=env) == {"cacheKey": "tenant-7:faq"}
    assert refused(("cf-aig-cache-key", "has space"), env=env).param == "cf-aig-cache-key"


# --- metadata -------------------------------------------------------------------------------


def test_metadata_merges_under_the_relays_own_which_wins() -> None:
    caller = {"route": "spoofed", "key_id": "key_000000000000", "team": "a", "n": 3}
    got = gateway_options(
        Settings.from_env({}).gateway,
        with_headers(("cf-aig-metadata", json.dumps(caller))),
        RELAY_METADATA,
    )
    assert got["gateway"]["metadata"] == {**RELAY_METADATA, "team": "a", "n": 3}


def test_metadata_may_fill_the_five_entries_with_the_relays_two() -> None:
    caller = {"a": "x", "b": 1.5, "c": None}
    got = gateway_options(
        Settings.from_env({}).gateway,
        with_headers(("cf-aig-metadata", json.dumps(caller))),
        RELAY_METADATA,
    )
    assert len(got["gateway"]["metadata"]) == MAX_METADATA_ENTRIES
    assert got["gateway"]["metadata"] == {**caller, **RELAY_METADATA}


def test_metadata_past_five_entries_is_400_saying_how_many_fit() -> None:
    error = refused(("cf-aig-metadata", json.dumps({"a": 1, "b": 2, "c": 3, "d": True})))
    assert error.param == "cf-aig-metadata"
    assert "at most 3 entries" in error.message
    assert "key_id, route" in error.message


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        "[1, 2]",
        '"text"',
        '{"a": {"nested": 1}}',
        '{"a": [1]}',
        '{"a": NaN}',
        "[" * 10_000,
    ],
)
def test_bad_metadata_is_400_naming_the_header(value: str) -> None:
    assert refused(("cf-aig-metadata", value)).param == "cf-aig-metadata"


# --- through the core -----------------------------------------------------------------------


def test_the_relay_tags_every_call_with_route_and_key_id() -> None:
    client = CoreClient(ENV)
    keyed_chat(client)
    assert client.backend.call.options == {"gateway": {"id": "default", "metadata": RELAY_METADATA}}


def test_keyless_calls_are_tagged_anonymous_on_their_route() -> None:
    client = CoreClient()
    client.post("/v1/responses", content=json.dumps({"input": "hi"}).encode())
    assert client.backend.call.options["gateway"]["metadata"] == {
        "route": "responses",
        "key_id": "anonymous",
    }


def test_every_allowed_header_reaches_the_binding_options() -> None:
    client = CoreClient({**ENV, "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY": "true"})
    response = keyed_chat(
        client,
        ("cf-aig-skip-cache", "true"),
        ("cf-aig-cache-ttl", "600"),
        ("cf-aig-event-id", "evt-9"),
        ("cf-aig-cache-key", "k1"),
        ("cf-aig-metadata", '{"user": "u-1"}'),
    )
    assert response.status == 200
    assert client.backend.call.options == {
        "gateway": {
            "id": "default",
            "skipCache": True,
            "cacheTtl": 600,
            "eventId": "evt-9",
            "cacheKey": "k1",
            "metadata": {"user": "u-1", **RELAY_METADATA},
        }
    }


def test_gateway_headers_outside_the_allowlist_are_ignored() -> None:
    client = CoreClient(ENV)
    response = keyed_chat(
        client,
        ("cf-aig-collect-log", "false"),
        ("cf-aig-request-timeout", "1"),
        ("cf-aig-max-attempts", "5"),
        ("cf-aig-authorization", "Bearer stolen"),
        ("cf-aig-custom-cost", '{"total_cost": 0}'),
    )
    assert response.status == 200
    assert client.backend.call.options == {"gateway": {"id": "default", "metadata": RELAY_METADATA}}


def test_an_invalid_header_is_a_400_and_no_call() -> None:
    client = CoreClient(ENV)
    response = keyed_chat(client, ("cf-aig-cache-ttl", "\xb2"))
    assert response.status == 400
    error = response.error
    assert error["param"] == "cf-aig-cache-ttl"
    assert "cf-aig-cache-ttl" in error["message"]
    assert client.backend.calls == []


def test_headers_are_checked_only_for_callers_with_a_key() -> None:
    response = CoreClient(ENV).send(with_headers(("cf-aig-cache-ttl", "1")))
    assert response.status == 401


# --- the local host over HTTP ---------------------------------------------------------------


def sdk_chat(headers: Mapping[str, str], env: Mapping[str, str] | None = None) -> str | None:
    """Ask the keyless local host for a chat completion sending `headers`."""

    async def go() -> str | None:
        async with asgi_sdk(build_app(env or {})) as sdk:
            completion = await sdk.chat.completions.create(
                model="gpt-5.4-mini",
                messages=[{"role": "user", "content": "hi"}],
                extra_headers=dict(headers),
            )
            return completion.choices[0].message.content

    return run(go())


def test_sdk_callers_may_send_valid_gateway_headers() -> None:
    headers = {
        "cf-aig-skip-cache": "true",
        "cf-aig-cache-ttl": "300",
        "cf-aig-event-id": "evt-sdk",
        "cf-aig-metadata": '{"app": "docs"}',
    }
    assert sdk_chat(headers)


@pytest.mark.parametrize(
    ("header", "value"),
    [("cf-aig-cache-ttl", "30"), ("cf-aig-cache-key", "mine"), ("cf-aig-metadata", "[]")],
)
def test_sdk_sees_bad_request_naming_a_bad_header(header: str, value: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk_chat({header: value})
    assert caught.value.param == header
    assert caught.value.code == "invalid_header"


def test_caller_cannot_turn_caching_back_on_when_the_operator_skips_it() -> None:
    settings = Settings.from_env({"AI_GATEWAY_SKIP_CACHE": "true"})
    request = Request("POST", "/v1/responses", headers=(("cf-aig-skip-cache", "false"),))
    assert gateway_options(settings.gateway, request)["gateway"]["skipCache"] is True


def test_caller_can_skip_the_cache_when_the_operator_caches() -> None:
    settings = Settings.from_env({})
    request = Request("POST", "/v1/responses", headers=(("cf-aig-skip-cache", "true"),))
    assert gateway_options(settings.gateway, request)["gateway"]["skipCache"] is True


@pytest.mark.parametrize(
    "raw",
    ['{"big": 1e999}', '{"big": -1e999}', '{"big": 1000000000000000000000000000000}'],
)
def test_metadata_numbers_javascript_cannot_carry_are_400s(raw: str) -> None:
    request = Request("POST", "/v1/responses", headers=(("cf-aig-metadata", raw),))
    with pytest.raises(RelayError) as caught:
        caller_options(Settings.from_env({}).gateway, request)
    assert (caught.value.status, caught.value.param) == (400, "cf-aig-metadata")


def test_metadata_at_javascripts_largest_safe_integer_is_accepted() -> None:
    request = Request(
        "POST", "/v1/responses", headers=(("cf-aig-metadata", '{"n": 9007199254740991}'),)
    )
    assert caller_options(Settings.from_env({}).gateway, request)["metadata"] == {
        "n": 9007199254740991
    }
