"""Who is calling: an API key (checked in constant time), a signed token, or anonymous."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from airelay.core.errors import RelayError
from airelay.core.flags import is_true
from airelay.core.tokens import (
    TokenIdentity,
    TokenPolicy,
    TokenScope,
    looks_like_jwt,
    verify_token,
)
from airelay.core.types import Request, TokenKeys

ANONYMOUS = "anonymous"
_SEPARATORS = re.compile(r"[\s,]+")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
MIN_KEY_CHARS = 8


def key_digest(key: str) -> bytes:
    """Return the SHA-256 of a key: what the relay keeps and compares, never the key itself."""
    return hashlib.sha256(key.encode()).digest()


def key_id(digest: bytes) -> str:
    """Return the short, non-reversible id that logs and metadata use for a key."""
    return "key_" + digest.hex()[:12]


def parse_keys(raw: str) -> tuple[bytes, ...]:
    """Split `API_KEYS` (commas, spaces or newlines between keys) into key digests."""
    keys = [key for key in _SEPARATORS.split(raw) if key]
    for number, key in enumerate(keys, start=1):
        # Errors name a key by its position, never by any part of it.
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(f"key {number} is shorter than {MIN_KEY_CHARS} characters")
        if not _VISIBLE_ASCII.fullmatch(key):
            # Header values arrive as latin-1, so a non-ASCII key could never match.
            raise ValueError(f"key {number} has characters other than visible ASCII")
    return tuple(key_digest(key) for key in keys)


# Set, any of them makes callers identify themselves; unset, the local host is keyless.
IDENTITY_VARIABLES = ("API_KEYS", "TOKEN_SECRETS", "TOKEN_JWKS_URL")
_AND_KEYLESS = " (and keyless callers: ALLOW_ANONYMOUS=true)"


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call: holders of these API keys, keyless callers, bearers of trusted tokens."""

    api_keys: tuple[bytes, ...] = field(default=(), repr=False)
    allow_anonymous: bool = False
    tokens: TokenPolicy = field(default_factory=TokenPolicy)
    # How a token's subject appears in logs and metadata (TOKEN_SUBJECT).
    token_subject: Literal["hashed", "raw"] = "hashed"

    @property
    def locked(self) -> bool:
        """Tell whether nobody at all may call (a misconfiguration, not a policy)."""
        return not self.api_keys and not self.allow_anonymous and not self.tokens.enabled

    def describe(self, host: str) -> str:
        """Say who may call, every way in, in the one line a host prints on start."""
        ways = []
        if self.api_keys:
            ways.append(f"{len(self.api_keys)} API key(s) from API_KEYS")
        if self.tokens.enabled:
            ways.append("signed tokens (TOKEN_SECRETS / TOKEN_JWKS_URL)")
        if ways:
            anyone = _AND_KEYLESS if self.allow_anonymous else ""
            return f"access: {' and '.join(ways)}{anyone}"
        if self.locked:
            return (
                "access: locked: set API_KEYS (or ALLOW_ANONYMOUS=true); /v1 answers 500 "
                "misconfigured until then"
            )
        return (
            f"access: keyless: anyone who can reach {host} may call it "
            "(set API_KEYS to require keys)"
        )


def is_keyless(env: Mapping[str, str]) -> bool:
    """Tell whether `env` names no keys nor trusted tokens, so callers need not identify."""
    return not any(env.get(name, "").strip() for name in IDENTITY_VARIABLES)


def keyless_by_default(env: Mapping[str, str], *, any_origin: bool = True) -> dict[str, str]:
    """Return `env` as a keyless-by-default host runs it (docs/local-host.md)."""
    # `any_origin`: keyless CORS defaults to every origin; a host whose calls bill passes False.
    local = dict(env)
    # Keys or trusted tokens configured: the operator wants callers identified.
    if not is_keyless(local):
        return local
    # Keyless by default; an operator's explicit ALLOW_ANONYMOUS=false stands.
    allow = local.get("ALLOW_ANONYMOUS", "").strip() or "true"
    local["ALLOW_ANONYMOUS"] = allow
    if is_true(allow) and any_origin:
        local.setdefault("CORS_ALLOW_ORIGINS", "*")
    return local


@dataclass(frozen=True)
class Caller:
    """Who is calling: a key id, a token's subject, or `anonymous` with the client address."""

    key_id: str
    client: str | None = None
    # Set for token callers: the non-reversible subject id and what the token narrows.
    subject_id: str | None = None
    scope: TokenScope | None = None

    @property
    def rate_key(self) -> str:
        """Return the key that rate limits count against."""
        if self.subject_id is not None:
            return self.subject_id
        if self.key_id != ANONYMOUS:
            return self.key_id
        return f"ip:{client_network(self.client)}"


def client_network(client: str | None) -> str:
    """Return the address a keyless caller is counted by: IPv4 as is, IPv6 by its /64."""
    # One IPv6 customer usually holds a whole /64; per-address counting would give them 2**64
    # separate allowances.
    if not client:
        return "unknown"
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def presented_key(request: Request) -> str | None:
    """Return the key the caller sent, in any of the headers the SDKs use."""
    authorization = request.header("authorization")
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    for name in ("api-key", "x-api-key"):
        value = request.header(name)
        if value and value.strip():
            return value.strip()
    return None


def token_caller(identity: TokenIdentity, client: str | None, subject: str) -> Caller:
    """Return the caller a verified token speaks for; `subject` is TOKEN_SUBJECT."""
    shown = f"sub:{identity.subject}" if subject == "raw" else identity.subject_id
    return Caller(shown, client, identity.subject_id, identity.scope)


async def identify(request: Request, access: AccessPolicy, keys: TokenKeys | None) -> Caller:
    """Return the caller: a matching API key, else a signed token, else keyless; or raise 401."""
    policy = access.tokens
    # Read once and handed on: one of the steps that took the core's chat request from 92 to
    # 58 us (bench/http_stack.py, "Worker CPU estimate", core; docs/performance.md).
    presented = presented_key(request)
    if (
        presented is not None
        and policy.enabled
        and looks_like_jwt(presented)
        and not _matches(presented, access.api_keys)
    ):
        identity = await verify_token(presented, policy, keys)
        return token_caller(identity, request.client, access.token_subject)
    return _key_caller(presented, request, access.api_keys, access.allow_anonymous)


def _matches(key: str, digests: tuple[bytes, ...]) -> bool:
    presented = key_digest(key)
    return any([hmac.compare_digest(presented, digest) for digest in digests])


def _key_caller(
    key: str | None, request: Request, digests: tuple[bytes, ...], anonymous: bool
) -> Caller:
    # Every configured key is compared, match or not, each in constant time.
    # The host sets `client`: the Worker glue from CF-Connecting-IP, which Cloudflare writes;
    # the local host from the socket, since there the header is the caller's to forge.
    client = request.client
    if key is not None and digests:
        presented = key_digest(key)
        matched: bytes | None = None
        for digest in digests:
            if hmac.compare_digest(presented, digest):
                matched = digest
        if matched is not None:
            return Caller(key_id(matched), client)
    if anonymous and (key is None or not digests):
        return Caller(ANONYMOUS, client)
    if key is None:
        message = "Missing API key: send it as `Authorization: Bearer <key>`."
    else:
        # Never echo the key, not even a prefix: logs and proxies keep error bodies.
        message = "Incorrect API key provided."
    raise RelayError(
        401, message, code="invalid_api_key", headers=(("www-authenticate", "Bearer"),)
    )
