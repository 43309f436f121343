"""Signed tokens at the core: every rule of `verify_token`, and what a token caller gets."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from airelay.core.errors import RelayError
from airelay.core.jwks import CACHE_SECONDS, JWKS_CACHE, REFETCH_COOL_DOWN_SECONDS, JwksCache
from airelay.core.settings import Settings
from airelay.core.tokens import (
    MAX_TOKEN_BYTES,
    TokenIdentity,
    TokenPolicy,
    mint_token,
    parse_duration,
    verify_token,
)
from tests.fakes import run
from tests.token_support import (
    AUDIENCE,
    HS_ENV,
    IDP_ENV,
    ISSUER,
    OTHER_SECRET,
    SECRET,
    MemoryKeys,
    TokenClient,
    bearer,
    claims,
    hs256,
    idp_claims,
    idp_keys,
    jwks,
    pair,
    sign,
)
from tests.token_support import JWKS_URL as URL

HS_POLICY = TokenPolicy(secrets=(SECRET.encode(),))
IDP_POLICY = TokenPolicy(jwks_url=URL, issuer=ISSUER, audience=AUDIENCE)
CHAT = {"messages": [{"role": "user", "content": "hi"}]}


@dataclass
class Clock:
    """A monotonic clock the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def verify(
    token: str,
    policy: TokenPolicy = HS_POLICY,
    keys: MemoryKeys | None = None,
    cache: JwksCache | None = None,
) -> TokenIdentity:
    return run(verify_token(token, policy, keys, cache or JwksCache()))


def refused(
    token: str, policy: TokenPolicy = HS_POLICY, keys: MemoryKeys | None = None
) -> RelayError:
    with pytest.raises(RelayError) as caught:
        verify(token, policy, keys)
    return caught.value


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# --- HS256 --------------------------------------------------------------------------------


def test_valid_hs256_token_names_its_subject() -> None:
    identity = verify(hs256(claims("alice")))
    assert identity.subject == "alice"
    assert identity.subject_id.startswith("sub_")
    assert "alice" not in identity.subject_id


def test_any_of_the_rotated_secrets_verifies() -> None:
    policy = TokenPolicy(secrets=(OTHER_SECRET.encode(), SECRET.encode()))
    assert verify(hs256(claims("bob")), policy).subject == "bob"


def test_minted_token_round_trips_with_its_scope() -> None:
    token = mint_token(SECRET, "carol", 300, routes=["chat"], max_output_tokens=64)
    identity = verify(token)
    assert identity.subject == "carol"
    assert identity.scope.routes == frozenset({"chat"})
    assert identity.scope.max_output_tokens == 64


def test_mint_refuses_a_short_secret() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        mint_token("short", "alice")


def test_expired_token_is_token_expired() -> None:
    error = refused(hs256(claims(iat=0, exp=100)))
    assert (error.status, error.code) == (401, "token_expired")


def test_expiry_within_the_leeway_is_still_accepted() -> None:
    payload = claims()
    payload["exp"] = payload["iat"] - 10
    payload["iat"] -= 60
    assert verify(hs256(payload)).subject == "alice"


def test_token_not_yet_valid_by_nbf() -> None:
    payload = claims(ttl=600)
    payload["nbf"] = payload["iat"] + 300
    error = refused(hs256(payload))
    assert (error.status, error.code) == (401, "token_not_yet_valid")


def test_token_issued_in_the_future_is_not_yet_valid() -> None:
    payload = claims(ttl=600)
    payload["iat"] += 300
    assert refused(hs256(payload)).code == "token_not_yet_valid"


def test_token_living_longer_than_max_ttl_is_refused() -> None:
    error = refused(hs256(claims(ttl=3601)))
    assert (error.status, error.code) == (401, "token_lifetime_too_long")
    assert "3600" in error.message


def test_token_without_iat_is_capped_by_its_time_left() -> None:
    payload = claims(ttl=7200)
    del payload["iat"]
    assert refused(hs256(payload)).code == "token_lifetime_too_long"


def test_max_ttl_is_the_operators() -> None:
    assert verify(hs256(claims(ttl=7000)), TokenPolicy(secrets=HS_POLICY.secrets, max_ttl=7200))


@pytest.mark.parametrize("missing", ["exp", "sub"])
def test_required_claims(missing: str) -> None:
    payload = claims()
    del payload[missing]
    error = refused(hs256(payload))
    assert error.code == "invalid_token"
    assert f"'{missing}'" in error.message


def test_string_dates_are_refused() -> None:
    payload = claims()
    payload["exp"] = str(payload["exp"])
    assert refused(hs256(payload)).code == "invalid_token"


def test_wrong_secret_does_not_verify() -> None:
    error = refused(hs256(claims(), secret=OTHER_SECRET))
    assert error.code == "invalid_token"
    assert "signature" in error.message


def test_tampered_payload_does_not_verify() -> None:
    header, _, signature = hs256(claims("alice")).split(".")
    forged = f"{header}.{b64(claims('admin'))}.{signature}"
    assert "signature" in refused(forged).message


def test_alg_none_is_refused() -> None:
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    # An empty signature is not even the shape of a token: it goes nowhere near a key.
    token_with_sig = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}.AA"
    assert refused(token_with_sig).code == "invalid_token"
    assert "none" in refused(token_with_sig).message
    assert refused(token).code == "invalid_token"


def test_hs256_is_refused_where_only_a_jwks_is_trusted() -> None:
    # The classic confusion: an HS256 token "signed" with the provider's public key.
    error = refused(hs256(claims()), IDP_POLICY, idp_keys())
    assert "algorithm" in error.message


def test_unknown_algorithm_is_refused() -> None:
    token = jwt.encode(claims(), SECRET + SECRET, algorithm="HS512")
    assert "algorithm" in refused(token).message


def test_unknown_critical_header_is_refused() -> None:
    token = hs256(claims())
    header = b64({"alg": "HS256", "crit": ["exp"], "exp": 1})
    forged = header + token[token.index(".") :]
    assert refused(forged).code == "invalid_token"


def test_oversized_token_is_refused_before_parsing() -> None:
    token = hs256(claims(padding="x" * MAX_TOKEN_BYTES))
    error = refused(token)
    assert str(MAX_TOKEN_BYTES) in error.message


def test_malformed_token_is_invalid() -> None:
    assert refused("eyJhbGciOi.not-json.sig").code == "invalid_token"


@pytest.mark.parametrize(
    "scope",
    [
        "chat",
        {"routes": "chat"},
        {"max_output_tokens": 0},
        {"max_output_tokens": True},
        {"models": ["x"]},
    ],
)
def test_malformed_scope_is_refused_not_ignored(scope: Any) -> None:
    assert refused(hs256(claims(airelay=scope))).code == "invalid_token"


def test_errors_never_echo_the_token() -> None:
    token = hs256(claims(iat=0, exp=100))
    error = refused(token)
    assert token not in error.message
    assert token.split(".")[1] not in error.message


# --- identity-provider tokens (JWKS) -------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_provider_token_verifies_with_its_key(alg: str) -> None:
    identity = verify(sign(idp_claims("dave"), pair(alg)), IDP_POLICY, idp_keys())
    assert (identity.subject, identity.issuer) == ("dave", ISSUER)


def test_wrong_issuer_is_refused() -> None:
    token = sign(idp_claims(iss="https://elsewhere.example/"), pair("RS256"))
    error = refused(token, IDP_POLICY, idp_keys())
    assert (error.code, "issuer" in error.message) == ("invalid_token", True)


def test_wrong_audience_is_refused() -> None:
    token = sign(idp_claims(aud="another-app"), pair("ES256"))
    error = refused(token, IDP_POLICY, idp_keys())
    assert (error.code, "audience" in error.message) == ("invalid_token", True)


def test_provider_token_without_audience_is_refused() -> None:
    payload = idp_claims()
    del payload["aud"]
    assert "'aud'" in refused(sign(payload, pair("RS256")), IDP_POLICY, idp_keys()).message


def test_algorithm_not_allowed_for_the_matched_key_is_refused() -> None:
    # The ES256 key's id on a token claiming RS256, signed by the RSA key.
    token = sign(idp_claims(), pair("RS256"), kid=pair("ES256").kid)
    error = refused(token, IDP_POLICY, idp_keys())
    assert "not the one its key is for" in error.message


def test_key_declaring_another_alg_is_not_used() -> None:
    rsa = pair("RS256")
    keys = MemoryKeys(json.dumps({"keys": [{**rsa.jwk, "alg": "PS256"}]}).encode())
    assert refused(sign(idp_claims(), rsa), IDP_POLICY, keys).code == "invalid_token"


def test_tampered_provider_token_does_not_verify() -> None:
    header, _, signature = sign(idp_claims("erin"), pair("EdDSA")).split(".")
    forged = f"{header}.{b64(idp_claims('admin'))}.{signature}"
    assert "signature" in refused(forged, IDP_POLICY, idp_keys()).message


def test_unknown_kid_refetches_once_per_cool_down() -> None:
    clock = Clock()
    cache = JwksCache(clock=clock)
    keys = idp_keys("RS256")
    stranger = sign(idp_claims(), pair("RS256", "rotated-in"))
    for _ in range(3):
        with pytest.raises(RelayError, match="key id"):
            run(verify_token(stranger, IDP_POLICY, keys, cache))
    assert len(keys.fetches) == 1  # the first fetch is fresh: no refetch within the cool-down
    clock.now += REFETCH_COOL_DOWN_SECONDS
    keys.body = jwks(pair("RS256"), pair("RS256", "rotated-in"))
    for _ in range(3):
        assert run(verify_token(stranger, IDP_POLICY, keys, cache)).subject == "alice"
    assert len(keys.fetches) == 2


def test_unknown_kid_after_the_cool_down_refetches_exactly_once() -> None:
    clock = Clock()
    cache = JwksCache(clock=clock)
    keys = idp_keys("RS256")
    run(verify_token(sign(idp_claims(), pair("RS256")), IDP_POLICY, keys, cache))
    clock.now += REFETCH_COOL_DOWN_SECONDS + 1
    stranger = sign(idp_claims(), pair("RS256", "random-kid"))
    for _ in range(5):
        with pytest.raises(RelayError, match="key id"):
            run(verify_token(stranger, IDP_POLICY, keys, cache))
    assert len(keys.fetches) == 2


def test_key_set_is_cached_then_fetched_again_after_its_time() -> None:
    clock = Clock()
    cache = JwksCache(clock=clock)
    keys = idp_keys("ES256")
    token = sign(idp_claims(), pair("ES256"))
    for _ in range(3):
        run(verify_token(token, IDP_POLICY, keys, cache))
    assert keys.fetches == [URL]
    clock.now += CACHE_SECONDS
    run(verify_token(token, IDP_POLICY, keys, cache))
    assert keys.fetches == [URL, URL]


def test_unreachable_jwks_is_503_not_401() -> None:
    error = refused(sign(idp_claims(), pair("RS256")), IDP_POLICY, MemoryKeys(None))
    assert (error.status, error.code) == (503, "jwks_unavailable")


def test_unreachable_jwks_is_not_hammered() -> None:
    cache, keys = JwksCache(clock=Clock()), MemoryKeys(None)
    token = sign(idp_claims(), pair("RS256"))
    for _ in range(3):
        with pytest.raises(RelayError, match="could not be fetched"):
            run(verify_token(token, IDP_POLICY, keys, cache))
    assert len(keys.fetches) == 1


def test_jwks_that_is_not_a_key_set_is_503() -> None:
    error = refused(sign(idp_claims(), pair("RS256")), IDP_POLICY, MemoryKeys(b"<html>"))
    assert error.code == "jwks_unavailable"


# --- settings -------------------------------------------------------------------------------


def test_short_token_secret_is_a_misconfiguration_naming_no_secret() -> None:
    with pytest.raises(RelayError) as caught:
        Settings.from_env({"TOKEN_SECRETS": "tooshort"})
    assert "TOKEN_SECRETS" in caught.value.message
    assert "tooshort" not in caught.value.message


def test_jwks_url_needs_issuer_and_audience() -> None:
    with pytest.raises(RelayError, match="TOKEN_ISSUER"):
        Settings.from_env({"TOKEN_JWKS_URL": URL})


def test_jwks_url_must_be_https() -> None:
    env = {"TOKEN_JWKS_URL": "http://issuer.example/jwks", "TOKEN_ISSUER": ISSUER}
    with pytest.raises(RelayError, match="https"):
        Settings.from_env({**env, "TOKEN_AUDIENCE": AUDIENCE})


def test_max_ttl_reads_durations() -> None:
    assert Settings.from_env({"TOKEN_MAX_TTL": "15m"}).token_max_ttl == 900
    assert parse_duration("1h") == 3600


def test_settings_repr_hides_secrets() -> None:
    assert SECRET not in repr(Settings.from_env({"TOKEN_SECRETS": SECRET}))


# --- a token caller through the core ---------------------------------------------------------


def test_token_alone_unlocks_the_relay_and_names_the_caller_by_id() -> None:
    client = TokenClient(env=HS_ENV)
    result = client.post("/v1/chat/completions", json=CHAT, headers=bearer(hs256(claims("alice"))))
    assert result.status == 200
    key_id = client.records[-1]["key_id"]
    assert key_id.startswith("sub_")
    assert "alice" not in key_id
    metadata = client.backend.call.options["gateway"]["metadata"]
    assert metadata["key_id"] == key_id


def test_raw_subject_switch_shows_the_subject() -> None:
    client = TokenClient(env={**HS_ENV, "TOKEN_SUBJECT": "raw"})
    client.post("/v1/chat/completions", json=CHAT, headers=bearer(hs256(claims("alice"))))
    assert client.records[-1]["key_id"] == "sub:alice"
    assert client.backend.call.options["gateway"]["metadata"]["key_id"] == "sub:alice"


def test_provider_token_works_through_the_core() -> None:
    client = TokenClient(env=IDP_ENV)
    token = sign(idp_claims("frank"), pair("ES256"))
    JWKS_CACHE.clear()
    assert client.post("/v1/chat/completions", json=CHAT, headers=bearer(token)).status == 200


def test_expired_token_gets_a_401_even_where_anyone_may_call() -> None:
    client = TokenClient(env={**HS_ENV, "ALLOW_ANONYMOUS": "true"})
    result = client.post(
        "/v1/chat/completions", json=CHAT, headers=bearer(hs256(claims(iat=0, exp=9)))
    )
    assert (result.status, result.error["code"]) == (401, "token_expired")
    assert result.header("www-authenticate") == 'Bearer error="invalid_token"'


def test_api_keys_still_work_beside_tokens() -> None:
    client = TokenClient(env={**HS_ENV, "API_KEYS": "sk-test-key-123456"})
    result = client.post("/v1/chat/completions", json=CHAT, headers=bearer("sk-test-key-123456"))
    assert result.status == 200
    assert client.records[-1]["key_id"].startswith("key_")


def test_jwt_without_token_settings_is_an_incorrect_key() -> None:
    client = TokenClient(env={"API_KEYS": "sk-test-key-123456"})
    result = client.post("/v1/chat/completions", json=CHAT, headers=bearer(hs256(claims())))
    assert (result.status, result.error["code"]) == (401, "invalid_api_key")


def test_route_scope_narrows_what_the_token_may_call() -> None:
    client = TokenClient(env=HS_ENV)
    token = mint_token(SECRET, "alice", routes=["chat"])
    assert client.post("/v1/chat/completions", json=CHAT, headers=bearer(token)).status == 200
    result = client.post("/v1/responses", json={"input": "hi"}, headers=bearer(token))
    assert (result.status, result.error["code"]) == (403, "token_scope")


def test_token_output_cap_is_injected_and_enforced() -> None:
    client = TokenClient(env={**HS_ENV, "MAX_OUTPUT_TOKENS": "500"})
    token = mint_token(SECRET, "alice", max_output_tokens=50)
    client.post("/v1/chat/completions", json=CHAT, headers=bearer(token))
    assert client.backend.call.inputs["max_completion_tokens"] == 50
    result = client.post(
        "/v1/chat/completions", json={**CHAT, "max_tokens": 80}, headers=bearer(token)
    )
    assert result.status == 400
    assert "this token" in result.error["message"]


def test_token_output_cap_cannot_raise_the_operators() -> None:
    client = TokenClient(env={**HS_ENV, "MAX_OUTPUT_TOKENS": "40"})
    token = mint_token(SECRET, "alice", max_output_tokens=5000)
    client.post("/v1/chat/completions", json=CHAT, headers=bearer(token))
    assert client.backend.call.inputs["max_completion_tokens"] == 40


def test_rate_limit_counts_per_token_subject() -> None:
    seen: list[str] = []

    class Recorder:
        async def limit(self, key: str) -> bool:
            seen.append(key)
            return True

    client = TokenClient(env={**HS_ENV, "TOKEN_SUBJECT": "raw"}, rate_limiter=Recorder())
    for sub in ("alice", "bob", "alice"):
        client.post("/v1/chat/completions", json=CHAT, headers=bearer(hs256(claims(sub))))
    assert seen[0] == seen[2] != seen[1]
    assert all(key.startswith("sub_") for key in seen)


def test_jwks_unreachable_is_a_503_over_the_core() -> None:
    JWKS_CACHE.clear()
    client = TokenClient(env=IDP_ENV, keys=MemoryKeys(None))
    result = client.post(
        "/v1/chat/completions", json=CHAT, headers=bearer(sign(idp_claims(), pair("RS256")))
    )
    assert (result.status, result.error["code"]) == (503, "jwks_unavailable")
    JWKS_CACHE.clear()


def test_no_token_appears_in_the_log_of_a_full_cycle() -> None:
    client = TokenClient(env={**HS_ENV, "LOG_PROMPTS": "true"})
    good = hs256(claims("alice"))
    expired = hs256(claims(iat=0, exp=9))
    client.post("/v1/chat/completions", json=CHAT, headers=bearer(good))
    client.post("/v1/chat/completions", json=CHAT, headers=bearer(expired))
    text = "\n".join(client.lines)
    assert len(client.lines) == 2
    for token in (good, expired):
        for part in token.split("."):
            assert part not in text
