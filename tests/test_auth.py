"""API keys (issue 4, rule 1): the secret, the headers SDKs send, constant-time checks, 401s."""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import Mapping

import httpx
import openai
import pytest

from airelay.core.auth import (
    ANONYMOUS,
    AccessPolicy,
    Caller,
    client_network,
    identify,
    key_digest,
    key_id,
    parse_keys,
    presented_key,
)
from airelay.core.errors import RelayError
from airelay.core.settings import Settings
from airelay.core.tokens import TokenPolicy
from airelay.core.types import Request
from airelay.hosts.local import build_app, describe_access, local_env
from tests.client import CoreClient, asgi_request, asgi_sdk
from tests.fakes import run

KEY_A = "sk-relay-alpha-5f1c9e2b7d"
KEY_B = "sk-relay-beta-0a8e4c6f31"
WRONG = "sk-relay-wrong-7c3d9b1e44"
KEYS = f"{KEY_A},{KEY_B}"
CHAT = json.dumps({"messages": [{"role": "user", "content": "hello"}]}).encode()


def chat(*headers: tuple[str, str], client: str | None = None) -> Request:
    """Return a chat completion request with `headers`."""
    return Request(
        "POST",
        "/v1/chat/completions",
        (("content-type", "application/json"), *headers),
        CHAT,
        client=client,
    )


# --- keys and their ids ---------------------------------------------------------------------


def test_parse_keys_splits_on_commas_spaces_and_newlines() -> None:
    digests = parse_keys(f" {KEY_A},\n{KEY_B}  extra-key,,\n")
    assert digests == (key_digest(KEY_A), key_digest(KEY_B), key_digest("extra-key"))


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("sk-long-enough, # rotated out", "key 2 is shorter than 8 characters"),
        ("sk-long-enough,sk-ünïcode-key", "key 2 has characters other than visible ASCII"),
    ],
)
def test_parse_keys_refuses_short_or_non_ascii_keys_naming_only_their_position(
    raw: str, why: str
) -> None:
    with pytest.raises(ValueError, match=why) as caught:
        parse_keys(raw)
    assert "sk-" not in str(caught.value)


def test_parse_keys_keeps_digests_never_keys() -> None:
    digests = parse_keys(KEYS)
    assert all(len(d) == 32 for d in digests)
    assert all(KEY_A.encode() not in d and KEY_B.encode() not in d for d in digests)


def test_key_id_is_short_stable_and_does_not_contain_the_key() -> None:
    ident = key_id(key_digest(KEY_A))
    assert ident == key_id(key_digest(KEY_A))
    assert ident != key_id(key_digest(KEY_B))
    assert ident.startswith("key_")
    assert len(ident) == len("key_") + 12
    assert all(part not in ident for part in KEY_A.split("-"))


# --- which headers carry a key --------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_authorization_carries_the_key(scheme: str) -> None:
    assert presented_key(chat(("authorization", f"{scheme} {KEY_A}"))) == KEY_A


@pytest.mark.parametrize("header", ["api-key", "x-api-key"])
def test_sdk_key_headers_carry_the_key(header: str) -> None:
    assert presented_key(chat((header, f" {KEY_A} "))) == KEY_A


def test_authorization_wins_over_the_other_key_headers() -> None:
    request = chat(("x-api-key", KEY_B), ("authorization", f"Bearer {KEY_A}"))
    assert presented_key(request) == KEY_A


@pytest.mark.parametrize("value", [f"Basic {KEY_A}", "Bearer ", "Bearer", KEY_A])
def test_authorization_without_a_bearer_token_carries_no_key(value: str) -> None:
    assert presented_key(chat(("authorization", value))) is None


# --- identify, by key ------------------------------------------------------------------------


def authenticate(request: Request, digests: tuple[bytes, ...], anonymous: bool) -> Caller:
    """Identify the caller of `request` as the core does, under these keys and no tokens."""
    return run(identify(request, AccessPolicy(digests, anonymous), None))


@pytest.mark.parametrize("key", [KEY_A, KEY_B])
def test_each_rotated_key_is_accepted_under_its_own_id(key: str) -> None:
    caller = authenticate(chat(("authorization", f"Bearer {key}")), parse_keys(KEYS), False)
    assert caller.key_id == key_id(key_digest(key))


def test_a_wrong_key_is_a_401_that_does_not_echo_it() -> None:
    with pytest.raises(RelayError) as caught:
        authenticate(chat(("authorization", f"Bearer {WRONG}")), parse_keys(KEYS), False)
    assert caught.value.status == 401
    assert caught.value.code == "invalid_api_key"
    assert ("www-authenticate", "Bearer") in caught.value.headers
    assert WRONG not in caught.value.message
    assert WRONG[:8] not in caught.value.message


def test_a_missing_key_is_a_401_that_says_how_to_send_one() -> None:
    with pytest.raises(RelayError) as caught:
        authenticate(chat(), parse_keys(KEYS), False)
    assert caught.value.status == 401
    assert caught.value.code == "invalid_api_key"
    assert "Authorization: Bearer" in caught.value.message


@pytest.mark.parametrize("presented", [KEY_A, KEY_B, WRONG])
def test_every_configured_key_is_compared_in_constant_time(
    presented: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    digests = parse_keys(f"{KEYS},sk-relay-gamma-e5")
    with contextlib.suppress(RelayError):
        authenticate(chat(("authorization", f"Bearer {presented}")), digests, False)
    # The same work whether the first key, the second or none matches.
    assert [b for _, b in compared] == list(digests)
    assert all(a == key_digest(presented) for a, _ in compared)


def test_a_key_shaped_like_a_token_is_compared_with_every_key_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With tokens trusted, a JWT-shaped credential is first checked against the API keys.
    jwt_shaped = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"
    compared: list[bytes] = []
    compare = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    digests = parse_keys(f"{jwt_shaped},{KEY_A}")
    access = AccessPolicy(digests, tokens=TokenPolicy((b"s" * 32,)))
    caller = run(identify(chat(("authorization", f"Bearer {jwt_shaped}")), access, None))
    assert caller.key_id == key_id(key_digest(jwt_shaped))
    # Both keys, by the check for a token and again by the key check.
    assert compared == [*digests, *digests]


def test_a_key_that_compare_digest_refuses_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # hmac.compare_digest alone decides: a plain `==` would let the key in here.
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: False)
    with pytest.raises(RelayError) as caught:
        authenticate(chat(("authorization", f"Bearer {KEY_A}")), parse_keys(KEYS), False)
    assert caught.value.status == 401


def test_keyless_access_only_when_the_operator_allows_it() -> None:
    with pytest.raises(RelayError):
        authenticate(chat(), (), False)
    caller = authenticate(chat(client="192.0.2.7"), (), True)
    assert caller == Caller(ANONYMOUS, "192.0.2.7")


def test_keyless_relay_ignores_a_key_it_cannot_check() -> None:
    caller = authenticate(chat(("authorization", f"Bearer {KEY_A}")), (), True)
    assert caller.key_id == ANONYMOUS


def test_with_keys_and_anonymous_a_keyless_caller_is_let_in() -> None:
    assert authenticate(chat(), parse_keys(KEYS), True).key_id == ANONYMOUS


def test_with_keys_and_anonymous_a_wrong_key_is_still_rejected() -> None:
    with pytest.raises(RelayError) as caught:
        authenticate(chat(("authorization", f"Bearer {WRONG}")), parse_keys(KEYS), True)
    assert caught.value.status == 401


def test_rate_limits_count_a_key_by_its_id_and_keyless_callers_by_address() -> None:
    assert Caller("key_0123456789ab", "192.0.2.1").rate_key == "key_0123456789ab"
    assert Caller(ANONYMOUS, "192.0.2.1").rate_key == "ip:192.0.2.1"
    assert Caller(ANONYMOUS).rate_key == "ip:unknown"


def test_the_core_takes_the_client_address_from_the_host_not_a_header() -> None:
    # On the local host CF-Connecting-IP is whatever the caller typed; the Worker glue sets
    # `client` from it, where Cloudflare writes it.
    request = chat(("cf-connecting-ip", "198.51.100.99"), client="192.0.2.7")
    assert authenticate(request, (), True).rate_key == "ip:192.0.2.7"


# --- the access policy: the one place that decides who may call ------------------------------


def test_settings_hand_out_the_access_policy_of_their_variables() -> None:
    access = Settings.from_env(
        {"API_KEYS": KEYS, "ALLOW_ANONYMOUS": "true", "TOKEN_SUBJECT": "raw"}
    ).access
    assert access.api_keys == parse_keys(KEYS)
    assert access.allow_anonymous is True
    assert access.token_subject == "raw"
    assert not access.tokens.enabled


@pytest.mark.parametrize(
    ("access", "locked"),
    [
        (AccessPolicy(), True),
        (AccessPolicy(parse_keys(KEYS)), False),
        (AccessPolicy(allow_anonymous=True), False),
        (AccessPolicy(tokens=TokenPolicy((b"s" * 32,))), False),
        (AccessPolicy(tokens=TokenPolicy(jwks_url="https://idp.example/jwks")), False),
    ],
)
def test_only_a_policy_that_lets_nobody_in_is_locked(access: AccessPolicy, locked: bool) -> None:
    assert access.locked is locked


def test_the_access_line_names_tokens_keys_and_keyless_callers() -> None:
    tokens = TokenPolicy((b"s" * 32,))
    assert AccessPolicy(tokens=tokens).describe("h") == (
        "access: signed tokens (TOKEN_SECRETS / TOKEN_JWKS_URL)"
    )
    assert AccessPolicy(parse_keys(KEYS), True).describe("h") == (
        "access: 2 API key(s) from API_KEYS (and keyless callers: ALLOW_ANONYMOUS=true)"
    )
    assert AccessPolicy().describe("h").startswith("access: locked: set API_KEYS")
    assert AccessPolicy(allow_anonymous=True).describe("203.0.113.1") == (
        "access: keyless: anyone who can reach 203.0.113.1 may call it "
        "(set API_KEYS to require keys)"
    )


def test_the_access_line_names_keys_and_tokens_when_both_let_callers_in() -> None:
    access = AccessPolicy(parse_keys(KEYS), tokens=TokenPolicy((b"s" * 32,)))
    assert access.describe("h") == (
        "access: 2 API key(s) from API_KEYS and signed tokens (TOKEN_SECRETS / TOKEN_JWKS_URL)"
    )
    line = describe_access(local_env({"API_KEYS": KEYS, "TOKEN_SECRETS": "s" * 32}), "h")
    assert "API_KEYS" in line
    assert "signed tokens" in line


# --- through the core -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/chat/completions"),
        ("POST", "/v1/responses"),
        ("GET", "/v1/models"),
        ("GET", "/v1/models/gpt-5.4-mini"),
    ],
)
def test_every_v1_route_needs_a_key(method: str, path: str) -> None:
    client = CoreClient({"API_KEYS": KEYS})
    response = client.request(method, path, content=CHAT)
    assert response.status == 401
    assert response.error["code"] == "invalid_api_key"
    assert client.backend.calls == []


@pytest.mark.parametrize("path", ["/health", "/openapi.json"])
def test_health_and_openapi_are_public(path: str) -> None:
    for env in ({"API_KEYS": KEYS}, {}):
        response = CoreClient(env).get(path)
        assert response.status == 200


def test_no_keys_and_no_anonymous_is_500_misconfigured_on_v1_routes() -> None:
    client = CoreClient({})
    response = client.send(chat(("authorization", f"Bearer {KEY_A}")))
    assert response.status == 500
    error = response.error
    assert error["code"] == "misconfigured"
    assert "API_KEYS" in str(error["message"])
    assert "ALLOW_ANONYMOUS" in str(error["message"])
    assert client.backend.calls == []


def test_a_valid_key_reaches_the_backend_tagged_with_its_key_id() -> None:
    client = CoreClient({"API_KEYS": KEYS})
    response = client.send(chat(("x-api-key", KEY_B)))
    assert response.status == 200
    expected = key_id(key_digest(KEY_B))
    assert client.backend.call.options["gateway"]["metadata"]["key_id"] == expected
    assert client.records[0]["key_id"] == expected


@pytest.mark.parametrize(
    "headers",
    [
        (("authorization", f"Bearer {WRONG}"),),
        (("api-key", WRONG),),
        (("authorization", f"Bearer {KEY_A}"),),
        (("x-api-key", KEY_B),),
    ],
)
def test_keys_appear_in_no_response_header_body_or_log_line(
    headers: tuple[tuple[str, str], ...],
) -> None:
    client = CoreClient({"API_KEYS": KEYS})
    response = client.send(chat(*headers))
    visible = response.body.decode() + repr(response.response.headers) + "\n".join(client.lines)
    for key in (KEY_A, KEY_B, WRONG):
        assert key not in visible


# --- the local host over HTTP ---------------------------------------------------------------


def sdk_call(env: Mapping[str, str], api_key: str) -> str | None:
    """Ask the local host for a chat completion with the SDK; return the answer's text."""

    async def go() -> str | None:
        async with asgi_sdk(build_app(env), api_key) as sdk:
            completion = await sdk.chat.completions.create(
                model="gpt-5.4-mini", messages=[{"role": "user", "content": "hi"}]
            )
            return completion.choices[0].message.content

    return run(go())


def http_get(env: Mapping[str, str], path: str, headers: Mapping[str, str]) -> httpx.Response:
    """GET `path` from the local host in process."""
    return asgi_request(build_app(env), "GET", path, headers=dict(headers))


def test_sdk_raises_authentication_error_for_a_wrong_key() -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk_call({"API_KEYS": KEYS}, WRONG)
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert WRONG not in str(caught.value)


@pytest.mark.parametrize("key", [KEY_A, KEY_B])
def test_sdk_is_served_with_either_rotated_key(key: str) -> None:
    assert "hi" in (sdk_call({"API_KEYS": KEYS}, key) or "")


def test_local_host_without_a_key_header_answers_401() -> None:
    response = http_get({"API_KEYS": KEYS}, "/v1/models", {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["api-key", "x-api-key"])
def test_local_host_accepts_the_sdk_key_headers(header: str) -> None:
    response = http_get({"API_KEYS": KEYS}, "/v1/models", {header: KEY_A})
    assert response.status_code == 200


def test_local_host_is_keyless_without_api_keys_and_says_so() -> None:
    env = local_env({})
    assert env["ALLOW_ANONYMOUS"] == "true"
    assert http_get({}, "/v1/models", {}).status_code == 200
    line = describe_access(env, "127.0.0.1")
    assert line.startswith("access: keyless")
    assert "127.0.0.1" in line


def test_local_host_keyless_by_choice_also_defaults_cors_to_any_origin() -> None:
    assert local_env({"ALLOW_ANONYMOUS": "true"})["CORS_ALLOW_ORIGINS"] == "*"


def test_local_host_keyless_with_an_upstream_allows_no_origin_and_says_so() -> None:
    env = local_env({"UPSTREAM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert env["ALLOW_ANONYMOUS"] == "true"
    assert "CORS_ALLOW_ORIGINS" not in env
    assert "set CORS_ALLOW_ORIGINS" in describe_access(env, "127.0.0.1")


def test_local_host_with_an_upstream_keeps_the_origins_the_operator_lists() -> None:
    listed = {"UPSTREAM_BASE_URL": "http://127.0.0.1:9/v1", "CORS_ALLOW_ORIGINS": "http://a.test"}
    env = local_env(listed)
    assert env["CORS_ALLOW_ORIGINS"] == "http://a.test"
    assert "set CORS_ALLOW_ORIGINS" not in describe_access(env, "127.0.0.1")


def test_a_preflight_from_any_page_gets_no_grant_from_a_keyless_upstream_relay() -> None:
    env = {"UPSTREAM_BASE_URL": "http://127.0.0.1:9/v1"}
    headers = {
        "origin": "https://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    response = asgi_request(build_app(env), "OPTIONS", "/v1/chat/completions", headers=headers)
    assert "access-control-allow-origin" not in response.headers
    local = asgi_request(build_app({}), "OPTIONS", "/v1/chat/completions", headers=headers)
    assert local.headers["access-control-allow-origin"] == "*"


def test_local_host_with_api_keys_is_not_keyless_and_never_prints_them() -> None:
    env = local_env({"API_KEYS": KEYS})
    assert "ALLOW_ANONYMOUS" not in env
    line = describe_access(env, "127.0.0.1")
    assert line == "access: 2 API key(s) from API_KEYS"
    assert KEY_A not in line
    assert KEY_B not in line


def test_local_host_says_when_keys_and_keyless_access_are_both_on() -> None:
    line = describe_access(local_env({"API_KEYS": KEYS, "ALLOW_ANONYMOUS": "true"}), "0.0.0.0")
    assert "keyless callers" in line


def test_local_host_with_keyless_access_turned_off_is_locked_not_misconfigured() -> None:
    env = local_env({"ALLOW_ANONYMOUS": "false"})
    line = describe_access(env, "127.0.0.1")
    assert line.startswith("access:")
    assert "keyless" not in line
    assert http_get({"ALLOW_ANONYMOUS": "false"}, "/health", {}).status_code == 200
    locked = http_get({"ALLOW_ANONYMOUS": "false"}, "/v1/models", {})
    assert locked.json()["error"]["code"] == "misconfigured"
    assert "API_KEYS" in locked.json()["error"]["message"]


@pytest.mark.parametrize(
    ("client", "network"),
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("203.0.113.7", "203.0.113.7"),
        (None, "unknown"),
    ],
)
def test_keyless_callers_are_counted_by_ipv4_address_or_ipv6_64(
    client: str | None, network: str
) -> None:
    assert client_network(client) == network
    assert Caller("anonymous", client).rate_key == f"ip:{network}"
