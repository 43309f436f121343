"""Issue 4 through the core's `handle`: the order of the checks, upstream faults, no key leaks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from airelay.core import sse
from airelay.core.app import handle
from airelay.core.auth import key_digest, key_id
from airelay.core.endpoints import route_of_model
from airelay.core.errors import BackendError, upstream_error
from airelay.core.settings import Settings
from airelay.core.types import JsonResult, Platform, Request, Response
from tests.fakes import FakeBackend, run

KEY_A = "sk-core-alpha-d15ea5e0"
KEY_B = "sk-core-beta-ba5eba11"
WRONG = "sk-core-wrong-0ddba11f"
ORIGIN = "https://app.example.com"
ENV = {"API_KEYS": f"{KEY_A}\n{KEY_B}", "CORS_ALLOW_ORIGINS": ORIGIN}
CHAT = {"messages": [{"role": "user", "content": "the quick brown fox"}]}


@dataclass
class Limiter:
    """A RateLimiter that lets `budget` requests per key through."""

    budget: int = 1_000
    seen: dict[str, int] = field(default_factory=dict)

    async def limit(self, key: str) -> bool:
        """Count `key`; refuse it past its budget."""
        self.seen[key] = self.seen.get(key, 0) + 1
        return self.seen[key] <= self.budget


@dataclass
class Relay:
    """The core with a fake backend and limiter, collecting every log line."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(ENV))
    backend: FakeBackend = field(default_factory=FakeBackend)
    limiter: Limiter | None = field(default_factory=Limiter)
    lines: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        """Answer `request`."""
        platform = Platform(
            backend=self.backend, env=self.env, rate_limiter=self.limiter, log=self.lines.append
        )
        return run(handle(request, platform))


def post(
    path: str = "/v1/chat/completions",
    body: bytes | Mapping[str, Any] = CHAT,
    *headers: tuple[str, str],
) -> Request:
    """Return a POST from the allowed origin."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Request("POST", path, (("origin", ORIGIN), *headers), raw)


def bearer(key: str) -> tuple[str, str]:
    """Return an authorization header for `key`."""
    return ("authorization", f"Bearer {key}")


def error_of(response: Response) -> dict[str, Any]:
    """Return the OpenAI-shaped error of `response`."""
    body = json.loads(response.body)
    assert set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, Any] = body["error"]
    return error


# --- the order of the checks ----------------------------------------------------------------


def test_each_check_runs_in_order_and_stops_the_request() -> None:
    relay = Relay(env={**ENV, "MAX_BODY_BYTES": "200"}, limiter=Limiter(budget=1))
    too_big = b"{" * 201
    # No key: 401, whatever else is wrong.
    answer = relay(post("/v1/chat/completions", too_big, ("cf-aig-cache-ttl", "1")))
    assert (answer.status, error_of(answer)["code"]) == (401, "invalid_api_key")
    # A key, over the limit: 429 before the body is looked at (A spends its one request).
    assert relay(post("/v1/chat/completions", CHAT, bearer(KEY_A))).status == 200
    answer = relay(post("/v1/chat/completions", too_big, bearer(KEY_A)))
    assert (answer.status, error_of(answer)["code"]) == (429, "rate_limit_exceeded")
    # Within the limit: size before parsing, parsing before validation, body before headers.
    relay.limiter = Limiter()
    steps: list[tuple[bytes | dict[str, Any], tuple[tuple[str, str], ...], int, str]] = [
        (too_big, (), 413, "request_too_large"),
        (b"{nope", (), 400, "invalid_json"),
        ({"messages": "x"}, (), 400, "invalid_value"),
        (CHAT, (("cf-aig-cache-ttl", "1"),), 400, "invalid_header"),
    ]
    for body, extra, status, code in steps:
        answer = relay(post("/v1/chat/completions", body, bearer(KEY_B), *extra))
        assert (answer.status, error_of(answer)["code"]) == (status, code)
    assert len(relay.backend.calls) == 1


def test_preflight_needs_no_key_and_reaches_no_limiter_or_model() -> None:
    relay = Relay()
    request = Request(
        "OPTIONS",
        "/v1/responses",
        (("origin", ORIGIN), ("access-control-request-method", "POST")),
    )
    answer = relay(request)
    assert answer.status == 204
    assert answer.header("access-control-allow-origin") == ORIGIN
    assert relay.limiter is not None
    assert relay.limiter.seen == {}
    assert relay.backend.calls == []


@pytest.mark.parametrize("env", [{}, {"ALLOW_ANONYMOUS": "false"}])
def test_no_keys_and_no_keyless_access_is_misconfigured_only_behind_v1(
    env: dict[str, str],
) -> None:
    relay = Relay(env=env)
    assert relay(Request("GET", "/health")).status == 200
    assert relay(Request("GET", "/openapi.json")).status == 200
    for request in (Request("GET", "/v1/models"), post(), post("/v1/responses", {"input": "x"})):
        answer = relay(request)
        assert (answer.status, error_of(answer)["code"]) == (500, "misconfigured")
    assert relay.backend.calls == []


def test_errors_carry_cors_and_request_id_headers() -> None:
    answer = Relay()(post())
    assert answer.status == 401
    assert answer.header("access-control-allow-origin") == ORIGIN
    assert answer.header("x-request-id")
    assert answer.header("www-authenticate") == "Bearer"


# --- upstream faults (rule 7) ---------------------------------------------------------------


def failing(error: Exception) -> FakeBackend:
    """Return a backend that raises `error`."""

    def fail(model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> JsonResult:
        raise error

    return FakeBackend(fail)


@pytest.mark.parametrize(
    ("upstream", "status", "code", "retry_after"),
    [
        (408, 504, "upstream_timeout", None),
        (504, 504, "upstream_timeout", None),
        (524, 504, "upstream_timeout", None),
        (429, 429, "rate_limit_exceeded", "1"),
        (500, 502, "upstream_error", None),
        (502, 502, "upstream_error", None),
        (503, 502, "upstream_error", None),
        (400, 400, "upstream_rejected", None),
    ],
)
def test_upstream_failures_map_to_openai_shaped_errors(
    upstream: int, status: int, code: str, retry_after: str | None
) -> None:
    relay = Relay(backend=failing(upstream_error(upstream, "upstream said no")))
    answer = relay(post("/v1/responses", {"input": "x"}, bearer(KEY_A)))
    assert answer.status == status
    assert error_of(answer)["code"] == code
    assert "upstream said no" in error_of(answer)["message"]
    assert answer.header("retry-after") == retry_after
    assert answer.header("access-control-allow-origin") == ORIGIN
    assert json.loads(relay.lines[0])["error_code"] == code


def test_a_backend_error_keeps_its_status_and_headers() -> None:
    error = BackendError(503, "busy", type="api_error", code="busy", headers=(("x-why", "1"),))
    answer = Relay(backend=failing(error))(post("/v1/chat/completions", CHAT, bearer(KEY_A)))
    assert answer.status == 503
    assert error_of(answer) == {
        "message": "busy",
        "type": "api_error",
        "param": None,
        "code": "busy",
    }
    assert answer.header("x-why") == "1"


@pytest.mark.parametrize("data", [[1, 2], "text", None, 42])
def test_a_malformed_upstream_answer_is_502(data: object) -> None:
    backend = FakeBackend(lambda model, inputs, options: JsonResult(data, "log-1"))
    answer = Relay(backend=backend)(post("/v1/chat/completions", CHAT, bearer(KEY_A)))
    assert answer.status == 502
    assert error_of(answer)["code"] == "upstream_malformed"


def test_each_model_endpoint_names_its_own_final_error_event() -> None:
    chat_route = route_of_model("openai/gpt-5.4-mini")
    pro_route = route_of_model("openai/gpt-5.4-pro")
    assert chat_route is not None
    assert pro_route is not None
    [chat_event] = sse.Decoder().decode(chat_route.stream_error(3))
    assert chat_event.event == "message"
    assert chat_event.json()["error"]["code"] == "stream_failed"
    [pro_event] = sse.Decoder().decode(pro_route.stream_error(7))
    assert pro_event.event == "error"
    assert pro_event.json() == {
        "type": "error",
        "code": "stream_failed",
        "message": "The stream failed midway.",
        "param": None,
        "sequence_number": 7,
    }


# --- keys never leak ------------------------------------------------------------------------


def test_settings_keep_no_key_in_any_form() -> None:
    settings = Settings.from_env(ENV)
    for text in (repr(settings), str(settings), str(settings.model_dump())):
        assert KEY_A not in text
        assert KEY_B not in text


def test_no_key_appears_in_logs_or_answers_of_a_full_request_cycle() -> None:
    relay = Relay(
        env={**ENV, "MAX_BODY_BYTES": "4096", "LOG_PROMPTS": "true"}, limiter=Limiter(budget=3)
    )
    answers = [
        relay(post("/v1/chat/completions", CHAT, bearer(KEY_A))),
        relay(post("/v1/responses", {"input": "x", "stream": True}, ("api-key", KEY_A))),
        relay(post("/v1/chat/completions", b"{" * 5000, ("x-api-key", KEY_A))),
        relay(post("/v1/chat/completions", CHAT, bearer(KEY_A))),  # the 429
        relay(post("/v1/chat/completions", CHAT, bearer(WRONG))),
        relay(post("/v1/chat/completions", CHAT, ("x-api-key", WRONG))),
        relay(Request("GET", "/v1/models", (bearer(KEY_B),))),
        relay(post("/v1/chat/completions", CHAT, bearer(KEY_B), ("cf-aig-ttl", KEY_B))),
    ]
    assert [a.status for a in answers] == [200, 200, 413, 429, 401, 401, 200, 200]
    visible = "\n".join(relay.lines) + "".join(a.body.decode() + repr(a.headers) for a in answers)
    visible += repr([call.options for call in relay.backend.calls])
    for secret in (KEY_A, KEY_B, WRONG):
        assert secret not in visible
        assert secret.rsplit("-", 1)[1] not in visible
    logged_ids = {json.loads(line).get("key_id") for line in relay.lines}
    assert logged_ids == {key_id(key_digest(KEY_A)), key_id(key_digest(KEY_B)), None}
