"""An identity provider's signing keys (JWKS), fetched through the host and cached, bounded.

Pydantic-free: the Worker runs it in Pyodide.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airelay.core import jsonio
from airelay.core.errors import RelayError
from airelay.core.types import KeysUnavailableError, TokenKeys

CACHE_SECONDS = 600  # a key set is trusted this long, then fetched again
REFETCH_COOL_DOWN_SECONDS = 60  # at most one refetch per this long for an unknown `kid`
FAILURE_BACKOFF_SECONDS = 10  # after a failed fetch, answer 503 this long without retrying
MAX_JWKS_BYTES = 65_536
MAX_CACHED_SETS = 4
MIN_RSA_BITS = 2048  # RFC 7518 section 3.3
# The members of a public key (RFC 7518 section 6, RFC 8037 section 2): private ones are
# never passed on, even when a careless provider publishes them.
_PUBLIC_MEMBERS = {
    "RSA": ("kty", "n", "e"),
    "EC": ("kty", "crv", "x", "y"),
    "OKP": ("kty", "crv", "x"),
}
# The algorithm each kind of key is for (RFC 7518 section 3.1, RFC 8037 section 3.1).
_ALG_FOR: dict[tuple[Any, Any], str] = {
    ("RSA", None): "RS256",
    ("EC", "P-256"): "ES256",
    ("OKP", "Ed25519"): "EdDSA",
}
ASYMMETRIC_ALGS = frozenset(_ALG_FOR.values())


@dataclass(frozen=True)
class SigningKey:
    """One public key of the set: its id, the one algorithm it verifies, its public JWK."""

    kid: str | None
    alg: str
    jwk: dict[str, Any]


@dataclass
class _KeySet:
    keys: tuple[SigningKey, ...] = ()
    fetched_at: float | None = None
    failed_at: float | None = None

    def matching(self, kid: str | None) -> list[SigningKey]:
        return [key for key in self.keys if kid is None or key.kid == kid]


@dataclass
class JwksCache:
    """Key sets by URL: fetched on first use, kept `CACHE_SECONDS`, refetched sparingly."""

    clock: Callable[[], float] = time.monotonic
    _sets: dict[str, _KeySet] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget every key set."""
        self._sets.clear()

    async def keys(self, url: str, kid: str | None, host: TokenKeys) -> list[SigningKey]:
        """Return the keys of `url` with id `kid` (all keys when None); raise 503 if unreachable."""
        now = self.clock()
        entry = self._sets.get(url)
        if entry is None:
            if len(self._sets) >= MAX_CACHED_SETS:
                self._sets.clear()
            entry = self._sets[url] = _KeySet()
        if entry.fetched_at is None or now - entry.fetched_at >= CACHE_SECONDS:
            await self._fetch(url, entry, host, now)
            return entry.matching(kid)
        found = entry.matching(kid)
        # A new `kid` usually means the provider rotated its keys; a random one must not make
        # every request a fetch, so the set is fetched again at most once per cool-down.
        if not found and now - entry.fetched_at >= REFETCH_COOL_DOWN_SECONDS:
            await self._fetch(url, entry, host, now)
            found = entry.matching(kid)
        return found

    async def _fetch(self, url: str, entry: _KeySet, host: TokenKeys, now: float) -> None:
        if entry.failed_at is not None and now - entry.failed_at < FAILURE_BACKOFF_SECONDS:
            raise _unavailable("it failed moments ago")
        try:
            body = await host.fetch_jwks(url)
            if len(body) > MAX_JWKS_BYTES:
                raise KeysUnavailableError(f"the key set is larger than {MAX_JWKS_BYTES} bytes")
            keys = parse_jwks(body)
        except KeysUnavailableError as exc:
            entry.failed_at = now
            raise _unavailable(str(exc)) from None
        entry.keys, entry.fetched_at, entry.failed_at = keys, now, None


def parse_jwks(body: bytes) -> tuple[SigningKey, ...]:
    """Read a JWKS (RFC 7517 section 5): keep the usable public signing keys."""
    try:
        data = jsonio.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, jsonio.JsonError):
        raise KeysUnavailableError("the key set is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeysUnavailableError("the key set has no `keys` array")
    found = [_signing_key(item) for item in data["keys"] if isinstance(item, dict)]
    return tuple(key for key in found if key is not None)


def _signing_key(jwk: dict[str, Any]) -> SigningKey | None:
    kty, crv, kid = jwk.get("kty"), jwk.get("crv"), jwk.get("kid")
    members = _PUBLIC_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None or jwk.get("use", "sig") != "sig":
        return None
    if not all(isinstance(jwk.get(name), str) for name in members):
        return None
    alg = _ALG_FOR.get((kty, None if kty == "RSA" else crv))
    # A key that names its algorithm verifies that one only (RFC 7517 section 4.4).
    if alg is None or jwk.get("alg", alg) != alg:
        return None
    if kty == "RSA" and _bits(jwk["n"]) < MIN_RSA_BITS:
        return None
    public = {name: jwk[name] for name in members}
    return SigningKey(kid if isinstance(kid, str) else None, alg, public)


def _bits(b64url: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(b64url + "=" * (-len(b64url) % 4))
    except ValueError:
        return 0
    return int.from_bytes(raw, "big").bit_length()


def _unavailable(why: str) -> RelayError:
    return RelayError(
        503,
        f"The identity provider's signing keys (TOKEN_JWKS_URL) could not be fetched: {why}. "
        "Try again shortly.",
        type="api_error",
        code="jwks_unavailable",
        headers=(("retry-after", str(FAILURE_BACKOFF_SECONDS)),),
    )


JWKS_CACHE = JwksCache()
