"""An identity provider's signing keys (JWKS), fetched through the host and cached, bounded.

The rules every host's fetch follows are described once, here (`JwksFetchRules`); a host
supplies only the transport (`TokenKeys.fetch_jwks`). Pydantic-free: the Worker runs it in
Pyodide.
"""

from __future__ import annotations

import asyncio
import base64
import math
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
FETCH_DEADLINE_SECONDS = 5.0
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
class JwksFetchRules:
    """How a key set is fetched, on every host: the host brings the transport, not the rules.

    - One `GET` of `TOKEN_JWKS_URL` (https; http only on loopback, checked by the settings),
      `accept: application/json`.
    - `deadline_seconds` bounds the whole fetch, from connecting to the body's last byte, not
      each read: a server that drips bytes is cut off.
    - The body is read no further than `max_bytes` + 1; a larger set is a failure.
    - No redirect is followed: a 3xx is a failure, so a redirect cannot lead the fetch from
      https to plain http, or anywhere else.
    - Any status but 2xx, any transport error, the deadline, the size cap, or a body that is
      not a key set: one failure, a 503 `jwks_unavailable` with `retry-after`, and no new
      fetch for `failure_backoff_seconds`.
    - Scope: one cache per isolate (Worker) or process (local host), by URL, at most
      `MAX_CACHED_SETS` sets; a set is kept `cache_seconds`, fetched again early only for a
      `kid` it does not hold and at most once per `refetch_cool_down_seconds`; one fetch per
      URL is in flight at a time, and every caller that needs it waits for that one.
    """

    deadline_seconds: float = FETCH_DEADLINE_SECONDS
    max_bytes: int = MAX_JWKS_BYTES
    cache_seconds: float = CACHE_SECONDS
    refetch_cool_down_seconds: float = REFETCH_COOL_DOWN_SECONDS
    failure_backoff_seconds: float = FAILURE_BACKOFF_SECONDS


JWKS_FETCH_RULES = JwksFetchRules()


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
    failure: str = ""
    # The one fetch in flight and when it started; it resolves to why it failed, or None.
    flight: asyncio.Future[str | None] | None = None
    flight_started: float = 0.0

    def matching(self, kid: str | None) -> list[SigningKey]:
        return [key for key in self.keys if kid is None or key.kid == kid]


@dataclass
class JwksCache:
    """Key sets by URL: fetched on first use, kept a while, refetched sparingly, one at a time."""

    clock: Callable[[], float] = time.monotonic
    rules: JwksFetchRules = JWKS_FETCH_RULES
    _sets: dict[str, _KeySet] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget every key set."""
        self._sets.clear()

    async def keys(self, url: str, kid: str | None, host: TokenKeys) -> list[SigningKey]:
        """Return the keys of `url` with id `kid` (all keys when None); raise 503 if unreachable."""
        entry = self._entry(url)
        if self._needs_fetch(entry, kid, self.clock()):
            await self._fetched(url, entry, host)
        return entry.matching(kid)

    def _entry(self, url: str) -> _KeySet:
        entry = self._sets.get(url)
        if entry is None:
            if len(self._sets) >= MAX_CACHED_SETS:
                # Only sets with no fetch in flight go: a waiter must find its flight's outcome.
                self._sets = {u: e for u, e in self._sets.items() if e.flight is not None}
            entry = self._sets[url] = _KeySet()
        return entry

    def _needs_fetch(self, entry: _KeySet, kid: str | None, now: float) -> bool:
        if entry.fetched_at is None or now - entry.fetched_at >= self.rules.cache_seconds:
            return True
        # A new `kid` usually means the provider rotated its keys; a random one must not make
        # every request a fetch, so the set is fetched again at most once per cool-down, and
        # callers that arrive while that fetch is in flight wait for it (`_fetched`).
        return (
            not entry.matching(kid)
            and now - entry.fetched_at >= self.rules.refetch_cool_down_seconds
        )

    async def _fetched(self, url: str, entry: _KeySet, host: TokenKeys) -> None:
        now = self.clock()
        flight = entry.flight
        # A flight older than the deadline was abandoned (on the Worker, the request that
        # started it may have been cancelled with it): it is not waited for, but replaced.
        if flight is None or now - entry.flight_started > self.rules.deadline_seconds:
            backoff = self.rules.failure_backoff_seconds
            if entry.failed_at is not None and now - entry.failed_at < backoff:
                raise _unavailable(entry.failure, self.rules)
            flight = asyncio.ensure_future(self._fetch(url, entry, host, now))
            entry.flight, entry.flight_started = flight, now
        try:
            # Shielded: a caller that goes away (its client disconnected) does not cancel the
            # fetch the others wait for. Bounded here too, so that no waiter outlives the
            # deadline even if the flight's own task can no longer run.
            failure = await asyncio.wait_for(asyncio.shield(flight), self.rules.deadline_seconds)
        except TimeoutError:
            raise _unavailable("no answer within the deadline", self.rules) from None
        except asyncio.CancelledError:
            if not flight.cancelled():
                raise  # this caller was cancelled, not the fetch
            raise _unavailable("the fetch was cancelled", self.rules) from None
        if failure is not None:
            raise _unavailable(failure, self.rules)

    async def _fetch(self, url: str, entry: _KeySet, host: TokenKeys, now: float) -> str | None:
        """Fetch and parse the set into `entry`; return why it failed, or None."""
        try:
            keys, failure = await self._fetched_keys(url, host)
        finally:
            # A flight abandoned and replaced (`_fetched`) leaves `entry` to its successor.
            current = entry.flight is asyncio.current_task()
            if current:
                entry.flight = None
        if current and failure is None:
            entry.keys, entry.fetched_at, entry.failed_at, entry.failure = keys, now, None, ""
        elif current and failure is not None:
            entry.failed_at, entry.failure = now, failure
        return failure

    async def _fetched_keys(
        self, url: str, host: TokenKeys
    ) -> tuple[tuple[SigningKey, ...], str | None]:
        rules = self.rules
        try:
            body = await asyncio.wait_for(host.fetch_jwks(url, rules), rules.deadline_seconds)
            if len(body) > rules.max_bytes:
                raise KeysUnavailableError(f"the key set is larger than {rules.max_bytes} bytes")
            return parse_jwks(body), None
        except KeysUnavailableError as exc:
            return (), str(exc) or "the fetch failed"
        except TimeoutError:
            return (), f"no answer within {rules.deadline_seconds:g} s"
        except Exception as exc:
            # Any transport failure is a 503, never a 500. Named by its type only: a
            # transport's message may carry addresses or internals.
            return (), f"the fetch failed ({type(exc).__name__})"


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


def _unavailable(why: str, rules: JwksFetchRules = JWKS_FETCH_RULES) -> RelayError:
    return RelayError(
        503,
        f"The identity provider's signing keys (TOKEN_JWKS_URL) could not be fetched: {why}. "
        "Try again shortly.",
        type="api_error",
        code="jwks_unavailable",
        # RFC 9110 section 10.2.3: whole seconds.
        headers=(("retry-after", str(math.ceil(rules.failure_backoff_seconds))),),
    )


JWKS_CACHE = JwksCache()
