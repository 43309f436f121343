"""Rate limits (issue 4, rule 3): per caller, through the binding's interface, 429 + retry-after."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import openai
import pytest

from airelay.backends.ratelimit import LocalRateLimiter
from airelay.core.auth import key_digest, key_id
from airelay.core.types import RateLimiter, Request
from airelay.hosts.local import build_app
from tests.client import CoreClient, asgi_http, asgi_sdk
from tests.fakes import run

KEY_A = "sk-rate-alpha-93d0c1"
KEY_B = "sk-rate-beta-27fe44"
ENV = {"API_KEYS": f"{KEY_A},{KEY_B}"}
CHAT = json.dumps({"messages": [{"role": "user", "content": "count me"}]}).encode()


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingLimiter:
    """A RateLimiter that records the keys it is asked about and answers `allow`."""

    allow: bool = True
    keys: list[str] = field(default_factory=list)

    async def limit(self, key: str) -> bool:
        """Record `key`; answer `allow`."""
        self.keys.append(key)
        return self.allow


def counts(limiter: LocalRateLimiter, key: str, times: int) -> list[bool]:
    """Return the limiter's answers to `times` requests for `key`."""

    async def go() -> list[bool]:
        return [await limiter.limit(key) for _ in range(times)]

    return run(go())


def chat(*headers: tuple[str, str], client: str | None = None, body: bytes = CHAT) -> Request:
    """Return a chat request."""
    return Request("POST", "/v1/chat/completions", headers, body, client=client)


# --- the local limiter ----------------------------------------------------------------------


def test_local_limiter_has_the_binding_interface() -> None:
    limiter: RateLimiter = LocalRateLimiter(1, 60)
    assert run(limiter.limit("k")) is True


def test_local_limiter_allows_the_limit_then_refuses() -> None:
    limiter = LocalRateLimiter(3, 60, clock=FakeClock())
    assert counts(limiter, "k", 5) == [True, True, True, False, False]


def test_local_limiter_starts_afresh_in_the_next_window() -> None:
    clock = FakeClock(120.0)
    limiter = LocalRateLimiter(2, 60, clock=clock)
    assert counts(limiter, "k", 3) == [True, True, False]
    clock.now = 179.999
    assert counts(limiter, "k", 1) == [False]
    clock.now = 180.0
    assert counts(limiter, "k", 3) == [True, True, False]


def test_local_limiter_windows_are_fixed_periods() -> None:
    clock = FakeClock(19.0)
    limiter = LocalRateLimiter(1, 10, clock=clock)
    assert counts(limiter, "k", 2) == [True, False]
    clock.now = 20.0  # one second later, but a new 10-second window
    assert counts(limiter, "k", 2) == [True, False]


def test_local_limiter_counts_each_key_on_its_own() -> None:
    limiter = LocalRateLimiter(1, 60, clock=FakeClock())
    assert counts(limiter, "key_a", 2) == [True, False]
    assert counts(limiter, "key_b", 2) == [True, False]
    assert counts(limiter, "ip:192.0.2.1", 1) == [True]


def test_local_limiter_forgets_the_callers_of_a_past_window() -> None:
    clock = FakeClock(0.0)
    limiter = LocalRateLimiter(1, 60, clock=clock)
    for n in range(100):
        counts(limiter, f"ip:192.0.2.{n}", 1)
    clock.now = 60.0
    counts(limiter, "ip:198.51.100.1", 1)
    # Memory is bounded by the callers of one window, even when none of them comes back.
    assert len(limiter._counts) == 1


# --- through the core -----------------------------------------------------------------------


def test_a_key_is_counted_by_its_key_id() -> None:
    limiter = RecordingLimiter()
    response = CoreClient(ENV, rate_limiter=limiter).send(
        chat(("authorization", f"Bearer {KEY_B}"))
    )
    assert response.status == 200
    assert limiter.keys == [key_id(key_digest(KEY_B))]


def test_a_keyless_caller_is_counted_by_client_address() -> None:
    # The Worker glue sets `client` from CF-Connecting-IP; the local host from the socket.
    limiter = RecordingLimiter()
    CoreClient({"ALLOW_ANONYMOUS": "true"}, rate_limiter=limiter).send(chat(client="203.0.113.5"))
    assert limiter.keys == ["ip:203.0.113.5"]


@pytest.mark.parametrize(("period", "expected"), [(None, "60"), ("60", "60"), ("10", "10")])
def test_over_the_limit_is_429_rate_limit_exceeded_with_retry_after_the_period(
    period: str | None, expected: str
) -> None:
    env = {**ENV, **({"RATE_LIMIT_PERIOD": period} if period else {})}
    client = CoreClient(env, rate_limiter=RecordingLimiter(False))
    response = client.send(chat(("authorization", f"Bearer {KEY_A}")))
    assert response.status == 429
    assert response.header("retry-after") == expected
    error = response.error
    assert error["code"] == "rate_limit_exceeded"
    assert error["type"] == "requests"
    assert f"{expected} seconds" in error["message"]
    assert client.backend.calls == []


def test_a_rate_limit_period_the_binding_lacks_is_misconfigured() -> None:
    env = {**ENV, "RATE_LIMIT_PERIOD": "30"}
    response = CoreClient(env, rate_limiter=RecordingLimiter()).send(
        chat(("authorization", f"Bearer {KEY_A}"))
    )
    assert response.status == 500
    assert "RATE_LIMIT_PERIOD" in response.error["message"]


def test_the_limit_is_checked_before_the_body_is_parsed() -> None:
    request = chat(("authorization", f"Bearer {KEY_A}"), body=b"{not json")
    response = CoreClient(ENV, rate_limiter=RecordingLimiter(False)).send(request)
    assert response.status == 429


@pytest.mark.parametrize(
    "request_",
    [
        Request("GET", "/health"),
        Request("GET", "/openapi.json"),
        Request("GET", "/v1/models", (("authorization", f"Bearer {KEY_A}"),)),
        Request("OPTIONS", "/v1/chat/completions", (("origin", "https://a.example"),)),
        chat(),
        chat(("authorization", "Bearer sk-not-a-key")),
        Request("POST", "/v2/nothing"),
    ],
    ids=["health", "openapi", "models", "preflight", "no-key", "wrong-key", "unknown-path"],
)
def test_requests_that_reach_no_model_are_not_counted(request_: Request) -> None:
    limiter = RecordingLimiter(False)
    response = CoreClient(ENV, rate_limiter=limiter).send(request_)
    assert response.status != 429
    assert limiter.keys == []


def test_without_a_limiter_there_is_no_limit() -> None:
    client = CoreClient(ENV)
    for _ in range(50):
        response = client.send(chat(("authorization", f"Bearer {KEY_A}")))
        assert response.status == 200
    assert len(client.backend.calls) == 50


# --- the local host over HTTP ---------------------------------------------------------------


def sdk_calls(env: Mapping[str, str], api_key: str, times: int) -> tuple[int, BaseException]:
    """Call chat `times` times with the SDK; return the successes before the first error."""

    async def go() -> tuple[int, BaseException]:
        async with asgi_sdk(build_app(env), api_key) as sdk:
            for served in range(times):
                try:
                    await sdk.chat.completions.create(
                        model="gpt-5.4-mini", messages=[{"role": "user", "content": "hi"}]
                    )
                except openai.APIError as error:
                    return served, error
            raise AssertionError(f"no error in {times} calls")

    return run(go())


def test_sdk_raises_rate_limit_error_once_a_key_used_its_requests() -> None:
    limit = 2
    env = {**ENV, "RATE_LIMIT_REQUESTS": str(limit)}
    # The local limiter counts in fixed windows of real time: should one end during the test,
    # the next gives `limit` more, so the error comes within 2 * limit + 1 calls.
    served, error = sdk_calls(env, KEY_A, 2 * limit + 1)
    assert isinstance(error, openai.RateLimitError)
    assert served >= limit
    assert error.code == "rate_limit_exceeded"
    assert error.response.headers["retry-after"] == "60"


def test_local_host_limits_each_key_separately() -> None:
    env = {**ENV, "RATE_LIMIT_REQUESTS": "1"}

    async def go() -> list[int]:
        async with asgi_http(build_app(env)) as client:

            async def post(key: str) -> int:
                headers = {"authorization": f"Bearer {key}"}
                response = await client.post("/v1/chat/completions", content=CHAT, headers=headers)
                return response.status_code

            statuses = [await post(KEY_A) for _ in range(3)]
            return [*statuses, await post(KEY_B)]

    *a_statuses, b_status = run(go())
    assert 429 in a_statuses
    # B's first call of this window: served unless the window ended in between (then also 200).
    assert b_status == 200


def test_local_host_ignores_a_forged_cf_connecting_ip() -> None:
    env = {"RATE_LIMIT_REQUESTS": "1"}  # keyless: counted by client address

    async def go() -> list[int]:
        async with asgi_http(build_app(env), client=("192.0.2.10", 5000)) as client:
            return [
                (
                    await client.post(
                        "/v1/chat/completions",
                        content=CHAT,
                        headers={"cf-connecting-ip": f"198.51.100.{n}"},
                    )
                ).status_code
                for n in range(3)
            ]

    assert 429 in run(go())


def test_local_host_without_rate_limit_requests_has_no_limit() -> None:
    async def go() -> list[int]:
        headers = {"authorization": f"Bearer {KEY_A}"}
        async with asgi_http(build_app(ENV)) as client:
            return [
                (
                    await client.post("/v1/chat/completions", content=CHAT, headers=headers)
                ).status_code
                for _ in range(30)
            ]

    assert set(run(go())) == {200}
