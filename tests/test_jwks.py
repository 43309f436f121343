"""The key-set cache under load and failure: one fetch in flight per process however many
callers, every waiter sharing its outcome, a total deadline, and any transport failure a 503
with the backoff."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from airelay.core.errors import RelayError
from airelay.core.jwks import (
    FAILURE_BACKOFF_SECONDS,
    JWKS_FETCH_RULES,
    MAX_JWKS_BYTES,
    REFETCH_COOL_DOWN_SECONDS,
    JwksCache,
    JwksFetchRules,
)
from airelay.core.tokens import TokenIdentity, TokenPolicy, verify_token
from airelay.core.types import KeysUnavailableError
from airelay.hosts.keys import LocalTokenKeys
from tests.fakes import run
from tests.token_support import AUDIENCE, ISSUER, JWKS_URL, idp_claims, jwks, pair, sign

POLICY = TokenPolicy(jwks_url=JWKS_URL, issuer=ISSUER, audience=AUDIENCE)
# A guard for tests that would hang on a cache without deadlines: fail, never wait forever.
GUARD_SECONDS = 10


@dataclass
class Clock:
    """A monotonic clock the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class GatedKeys:
    """TokenKeys whose fetch counts itself, says it started, then waits for the test's gate."""

    answer: Callable[[], bytes]
    started: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    fetches: int = 0

    async def fetch_jwks(self, url: str, rules: JwksFetchRules) -> bytes:
        """Count, signal, wait for the gate, then answer (or raise what `answer` raises)."""
        self.fetches += 1
        self.started.set()
        await self.gate.wait()
        return self.answer()

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Verify as the local host does."""
        return await LocalTokenKeys().verify(alg, jwk, signing_input, signature)


def key_set() -> bytes:
    return jwks(pair("RS256"))


def failing(error: Exception) -> Callable[[], bytes]:
    def answer() -> bytes:
        raise error

    return answer


async def outcome(call: Awaitable[TokenIdentity]) -> str:
    """Return "ok:<subject>", or the error's status and code."""
    try:
        identity = await call
    except RelayError as exc:
        return f"{exc.status} {exc.code}"
    return f"ok:{identity.subject}"


async def together(
    tokens: list[str], keys: GatedKeys, cache: JwksCache, *, fail_before_gate: bool = False
) -> list[str]:
    """Verify `tokens` concurrently; open the gate once the one fetch has started."""
    calls = [asyncio.ensure_future(outcome(verify_token(t, POLICY, keys, cache))) for t in tokens]
    await keys.started.wait()
    keys.gate.set()
    return list(await asyncio.wait_for(asyncio.gather(*calls), GUARD_SECONDS))


def test_thirty_concurrent_unknown_kids_after_the_cool_down_make_one_fetch() -> None:
    # The issue's figures: 30 tokens with random kids 61 s after the last fetch gave 30 fetches.
    async def scenario() -> tuple[list[str], int]:
        clock = Clock()
        keys = GatedKeys(key_set)
        keys.gate.set()
        cache = JwksCache(clock=clock)
        await verify_token(sign(idp_claims(), pair("RS256")), POLICY, keys, cache)
        clock.now += REFETCH_COOL_DOWN_SECONDS + 1
        keys.started.clear()
        keys.gate.clear()
        strangers = [sign(idp_claims(), pair("RS256"), kid=f"random-{n}") for n in range(30)]
        return await together(strangers, keys, cache), keys.fetches

    results, fetches = run(scenario())
    assert fetches == 2  # the first, warm-up fetch and one for all thirty
    assert results == ["401 invalid_token"] * 30


def test_callers_on_a_cold_cache_share_one_fetch_and_all_verify() -> None:
    async def scenario() -> tuple[list[str], int]:
        keys = GatedKeys(key_set)
        tokens = [sign(idp_claims(f"user-{n}"), pair("RS256")) for n in range(20)]
        return await together(tokens, keys, JwksCache(clock=Clock())), keys.fetches

    results, fetches = run(scenario())
    assert fetches == 1
    assert results == [f"ok:user-{n}" for n in range(20)]


def test_a_failed_fetch_is_shared_by_every_waiter_then_backs_off() -> None:
    async def scenario() -> tuple[list[str], str, int, str]:
        clock = Clock()
        keys = GatedKeys(failing(KeysUnavailableError("HTTP 502")))
        cache = JwksCache(clock=clock)
        token = sign(idp_claims(), pair("RS256"))
        results = await together([token] * 25, keys, cache)
        clock.now += FAILURE_BACKOFF_SECONDS - 1
        during = await outcome(verify_token(token, POLICY, keys, cache))
        fetches = keys.fetches
        clock.now += 1
        keys.answer = key_set
        after = await outcome(verify_token(token, POLICY, keys, cache))
        return results, during, fetches, after

    results, during, fetches, after = run(scenario())
    assert results == ["503 jwks_unavailable"] * 25
    assert (during, fetches) == ("503 jwks_unavailable", 1)
    assert after == "ok:alice"


def test_waiters_get_the_fetch_even_when_the_caller_that_started_it_goes_away() -> None:
    async def scenario() -> tuple[list[str], int]:
        keys = GatedKeys(key_set)
        cache = JwksCache(clock=Clock())
        token = sign(idp_claims(), pair("RS256"))
        first = asyncio.ensure_future(verify_token(token, POLICY, keys, cache))
        await keys.started.wait()
        rest = [asyncio.ensure_future(outcome(verify_token(token, POLICY, keys, cache)))]
        rest.append(asyncio.ensure_future(outcome(verify_token(token, POLICY, keys, cache))))
        first.cancel()  # its client disconnected
        keys.gate.set()
        results = await asyncio.wait_for(asyncio.gather(*rest), GUARD_SECONDS)
        return list(results), keys.fetches

    results, fetches = run(scenario())
    assert results == ["ok:alice", "ok:alice"]
    assert fetches == 1


def test_a_fetch_that_never_answers_is_a_503_at_the_deadline_then_backs_off() -> None:
    async def scenario() -> tuple[list[str], str, int]:
        keys = GatedKeys(key_set)  # the gate is never opened
        rules = JwksFetchRules(deadline_seconds=0.05)
        cache = JwksCache(clock=Clock(), rules=rules)
        token = sign(idp_claims(), pair("RS256"))
        calls = [outcome(verify_token(token, POLICY, keys, cache)) for _ in range(5)]
        results = await asyncio.wait_for(asyncio.gather(*calls), GUARD_SECONDS)
        again = await outcome(verify_token(token, POLICY, keys, cache))
        return list(results), again, keys.fetches

    results, again, fetches = run(scenario())
    assert results == ["503 jwks_unavailable"] * 5
    assert (again, fetches) == ("503 jwks_unavailable", 1)


@pytest.mark.parametrize(
    "error",
    [
        http.client.BadStatusLine("HTTP/1.1 2OO OK"),
        http.client.IncompleteRead(b"{", 10),
        OSError("connection reset"),
        ValueError("bad url"),
        TimeoutError(),
        RuntimeError("a transport bug"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_any_transport_failure_is_a_503_with_the_backoff(error: Exception) -> None:
    async def scenario() -> tuple[RelayError, int]:
        keys = GatedKeys(failing(error))
        keys.gate.set()
        cache = JwksCache(clock=Clock())
        token = sign(idp_claims(), pair("RS256"))
        with pytest.raises(RelayError) as caught:
            await verify_token(token, POLICY, keys, cache)
        await outcome(verify_token(token, POLICY, keys, cache))
        return caught.value, keys.fetches

    error_seen, fetches = run(scenario())
    assert (error_seen.status, error_seen.code) == (503, "jwks_unavailable")
    assert ("retry-after", str(FAILURE_BACKOFF_SECONDS)) in error_seen.headers
    assert fetches == 1  # the second caller was inside the backoff
    assert "connection reset" not in error_seen.message  # no transport detail is echoed


def test_a_key_set_over_the_size_cap_is_a_503() -> None:
    body = b'{"keys": [], "pad": "' + b"x" * MAX_JWKS_BYTES + b'"}'

    async def scenario() -> str:
        keys = GatedKeys(lambda: body)
        keys.gate.set()
        return await outcome(
            verify_token(sign(idp_claims(), pair("RS256")), POLICY, keys, JwksCache())
        )

    assert run(scenario()) == "503 jwks_unavailable"


def test_the_rules_are_one_description_every_host_reads() -> None:
    assert JWKS_FETCH_RULES.max_bytes == MAX_JWKS_BYTES
    assert 0 < JWKS_FETCH_RULES.deadline_seconds <= 10


@dataclass
class StuckKeys:
    """TokenKeys whose fetch outlives every attempt to cancel it until released: as a fetch
    whose request was cancelled under it on the Worker, it never answers."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    fetches: int = 0

    async def fetch_jwks(self, url: str, rules: JwksFetchRules) -> bytes:
        """Count, then wait for the release, shrugging off cancellation."""
        self.fetches += 1
        while not self.release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self.release.wait())
        raise KeysUnavailableError("released")

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Verify nothing: no key ever arrives."""
        return False


def test_a_flight_that_never_ends_bounds_its_waiters_and_is_replaced_after_the_deadline() -> None:
    async def scenario() -> tuple[list[str], str, int, str, int]:
        clock = Clock()
        rules = JwksFetchRules(deadline_seconds=0.05, refetch_cool_down_seconds=0)
        cache = JwksCache(clock=clock, rules=rules)
        stuck = StuckKeys()
        token = sign(idp_claims(), pair("RS256"))
        calls = [outcome(verify_token(token, POLICY, stuck, cache)) for _ in range(3)]
        waiters = await asyncio.wait_for(asyncio.gather(*calls), GUARD_SECONDS)
        clock.now += 1  # past the stuck flight's deadline: it is abandoned, not waited for
        working = GatedKeys(key_set)
        working.gate.set()
        later = await outcome(verify_token(token, POLICY, working, cache))
        # The abandoned flight ends at last (failing): it must not overwrite its successor's
        # outcome, or the next fetch would be refused inside a backoff it never earned.
        stuck.release.set()
        others = asyncio.all_tasks() - {asyncio.current_task()}
        await asyncio.wait(others, timeout=GUARD_SECONDS)
        stranger = sign(idp_claims(), pair("RS256", "rotated-in"))
        after = await outcome(verify_token(stranger, POLICY, working, cache))
        return list(waiters), later, stuck.fetches, after, working.fetches

    waiters, later, stuck_fetches, after, working_fetches = run(scenario())
    assert waiters == ["503 jwks_unavailable"] * 3
    assert (later, stuck_fetches) == ("ok:alice", 1)
    assert (after, working_fetches) == ("401 invalid_token", 2)
