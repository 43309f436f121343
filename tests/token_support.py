"""Keys, key sets and tokens for the token tests: RS256, ES256 and EdDSA signed with
`cryptography`, HS256 with a test secret; an in-memory TokenKeys for the core, and the core
client on a platform that serves it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from airelay.core.jwks import JwksFetchRules
from airelay.core.types import KeysUnavailableError, Platform
from airelay.hosts.keys import LocalTokenKeys
from tests.client import CoreClient

SECRET = "test-secret-0123456789abcdef-0123456789"
OTHER_SECRET = "another-secret-0123456789abcdef-012345"
ISSUER = "https://issuer.example/"
AUDIENCE = "airelay-tests"
JWKS_URL = "https://issuer.example/.well-known/jwks.json"
TOKEN_CODES = {"invalid_token", "token_expired", "token_not_yet_valid", "token_lifetime_too_long"}
HS_ENV = {"TOKEN_SECRETS": SECRET}
IDP_ENV = {"TOKEN_JWKS_URL": JWKS_URL, "TOKEN_ISSUER": ISSUER, "TOKEN_AUDIENCE": AUDIENCE}


@dataclass(frozen=True)
class SigningPair:
    """A private key, its algorithm, and its public JWK."""

    alg: str
    kid: str
    private: Any
    jwk: dict[str, Any]


def _pair(alg: str, kid: str) -> SigningPair:
    if alg == "RS256":
        private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        private = ed25519.Ed25519PrivateKey.generate()
        jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return SigningPair(alg, kid, private, {**jwk, "kid": kid, "use": "sig"})


_PAIRS: dict[tuple[str, str], SigningPair] = {}


def pair(alg: str, kid: str | None = None) -> SigningPair:
    """Return a key pair for `alg`, made once per test session and id."""
    name = kid or f"{alg.lower()}-1"
    if (alg, name) not in _PAIRS:
        _PAIRS[alg, name] = _pair(alg, name)
    return _PAIRS[alg, name]


def jwks(*pairs: SigningPair) -> bytes:
    """Return a JWKS body holding the public keys of `pairs`."""
    return json.dumps({"keys": [p.jwk for p in pairs]}).encode()


def claims(sub: str = "alice", ttl: int = 600, **extra: Any) -> dict[str, Any]:
    """Return claims issued now, valid `ttl` seconds."""
    now = int(time.time())
    return {"sub": sub, "iat": now, "exp": now + ttl, **extra}


def idp_claims(sub: str = "alice", ttl: int = 600, **extra: Any) -> dict[str, Any]:
    """Return claims as the test identity provider issues them."""
    return claims(sub, ttl, **{"iss": ISSUER, "aud": AUDIENCE, **extra})


def sign(payload: Mapping[str, Any], key: SigningPair, **headers: Any) -> str:
    """Sign `payload` with `key` (its kid in the header unless overridden)."""
    return jwt.encode(
        dict(payload), key.private, algorithm=key.alg, headers={"kid": key.kid, **headers}
    )


def hs256(payload: Mapping[str, Any], secret: str = SECRET) -> str:
    """Sign `payload` with HS256."""
    return jwt.encode(dict(payload), secret, algorithm="HS256")


@dataclass
class MemoryKeys:
    """TokenKeys serving a JWKS from memory and counting fetches; verify as the local host."""

    body: bytes | None = None
    fetches: list[str] = field(default_factory=list)

    async def fetch_jwks(self, url: str, rules: JwksFetchRules) -> bytes:
        """Return the stored body, or fail when there is none."""
        self.fetches.append(url)
        if self.body is None:
            raise KeysUnavailableError("connection refused")
        return self.body

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Verify as the local host does."""
        return await LocalTokenKeys().verify(alg, jwk, signing_input, signature)


def idp_keys(*algs: str) -> MemoryKeys:
    """Return in-memory keys serving a JWKS with one key per algorithm (all three by default)."""
    return MemoryKeys(jwks(*(pair(alg) for alg in algs or ("RS256", "ES256", "EdDSA"))))


def bearer(token: str) -> dict[str, str]:
    """Return the header that presents `token`."""
    return {"authorization": f"Bearer {token}"}


@dataclass
class TokenClient(CoreClient):
    """The core client on a platform that serves a JWKS from memory."""

    keys: MemoryKeys = field(default_factory=idp_keys)

    @property
    def platform(self) -> Platform:
        """Return the platform, with the in-memory keys as its TokenKeys."""
        return Platform(self.backend, self.env, self.rate_limiter, self.log, self.keys)


# --- forged tokens: any JSON in the header and the payload -------------------------------------


def b64(data: bytes) -> str:
    """Return `data` as unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: Any, payload: Any, signature: bytes | None = None) -> str:
    """Return a token with these JSON segments, HS256-signed with the test secret unless
    `signature` is given: a valid signature lets the checks after it run."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if signature is None:
        signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
HEADER_NAMES = st.sampled_from(["alg", "kid", "typ", "cty", "crit", "b64", "jku", "x5u", "zip"])
ALGS = st.sampled_from(["HS256", "RS256", "ES256", "EdDSA", "none", "HS512"])
KIDS = st.sampled_from(["rs256-1", "es256-1", "eddsa-1", "unknown"])
HEADERS = st.one_of(
    st.fixed_dictionaries(
        {"alg": ALGS | JSON_VALUES},
        optional={"kid": KIDS | JSON_VALUES},
    ).flatmap(
        lambda base: st.dictionaries(
            HEADER_NAMES | st.text(max_size=4), JSON_VALUES, max_size=3
        ).map(lambda extra: {**extra, **base})
    ),
    JSON_VALUES,
)
NOW = int(time.time())
DATES = st.integers(NOW - 4000, NOW + 4000) | JSON_VALUES
PAYLOADS = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "sub": st.sampled_from(["alice", "", "x" * 300]) | JSON_VALUES,
            "exp": DATES,
            "iat": DATES,
            "nbf": DATES,
            "iss": st.just(ISSUER) | JSON_VALUES,
            "aud": st.just(AUDIENCE) | st.just([AUDIENCE]) | JSON_VALUES,
            "jti": JSON_VALUES,
            "airelay": st.fixed_dictionaries(
                {},
                optional={
                    "routes": JSON_VALUES,
                    "max_output_tokens": JSON_VALUES,
                    "tools": JSON_VALUES | st.lists(st.sampled_from(["function", "web_search"])),
                },
            )
            | JSON_VALUES,
        },
    ),
    JSON_VALUES,
)
SIGNATURES = st.none() | st.binary(min_size=1, max_size=72)
