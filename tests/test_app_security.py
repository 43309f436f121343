"""Issue 4 through the core's `handle`: the order of the checks, upstream faults, no key leaks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from airelay.core import sse
from airelay.core.auth import key_digest, key_id
from airelay.core.errors import BackendError
from airelay.core.settings import Settings
from airelay.core.types import JsonResult
from airelay.core.upstream import upstream_error
from tests.client import CoreClient, Result
from tests.fakes import FakeBackend, failing, model_route

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


def relay(
    env: Mapping[str, str] = ENV, backend: FakeBackend | None = None, limiter: Limiter | None = None
) -> CoreClient:
    """Return the core with a fake backend and a generous limiter, keeping every log line."""
    return CoreClient(env, backend or FakeBackend(), limiter or Limiter())


def post(
    client: CoreClient,
    path: str = "/v1/chat/completions",
    body: bytes | Mapping[str, Any] = CHAT,
    *headers: tuple[str, str],
) -> Result:
    """POST `body` from the allowed origin."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=raw, headers=(("origin", ORIGIN), *headers))


def bearer(key: str) -> tuple[str, str]:
    """Return an authorization header for `key`."""
    return ("authorization", f"Bearer {key}")


# --- the order of the checks ----------------------------------------------------------------


def test_each_check_runs_in_order_and_stops_the_request() -> None:
    client = relay({**ENV, "MAX_BODY_BYTES": "200"}, limiter=Limiter(budget=1))
    too_big = b"{" * 201
    # No key: 401, whatever else is wrong.
    answer = post(client, "/v1/chat/completions", too_big, ("cf-aig-cache-ttl", "1"))
    assert (answer.status, answer.error["code"]) == (401, "invalid_api_key")
    # A key, over the limit: 429 before the body is looked at (A spends its one request).
    assert post(client, "/v1/chat/completions", CHAT, bearer(KEY_A)).status == 200
    answer = post(client, "/v1/chat/completions", too_big, bearer(KEY_A))
    assert (answer.status, answer.error["code"]) == (429, "rate_limit_exceeded")
    # Within the limit: size before parsing, parsing before validation, body before headers.
    client.rate_limiter = Limiter()
    steps: list[tuple[bytes | dict[str, Any], tuple[tuple[str, str], ...], int, str]] = [
        (too_big, (), 413, "request_too_large"),
        (b"{nope", (), 400, "invalid_json"),
        ({"messages": "x"}, (), 400, "invalid_value"),
        (CHAT, (("cf-aig-cache-ttl", "1"),), 400, "invalid_header"),
    ]
    for body, extra, status, code in steps:
        answer = post(client, "/v1/chat/completions", body, bearer(KEY_B), *extra)
        assert (answer.status, answer.error["code"]) == (status, code)
    assert len(client.backend.calls) == 1


def test_preflight_needs_no_key_and_reaches_no_limiter_or_model() -> None:
    limiter = Limiter()
    client = relay(limiter=limiter)
    answer = client.options(
        "/v1/responses", headers=(("origin", ORIGIN), ("access-control-request-method", "POST"))
    )
    assert answer.status == 204
    assert answer.header("access-control-allow-origin") == ORIGIN
    assert limiter.seen == {}
    assert client.backend.calls == []


@pytest.mark.parametrize("env", [{}, {"ALLOW_ANONYMOUS": "false"}])
def test_no_keys_and_no_keyless_access_is_misconfigured_only_behind_v1(
    env: dict[str, str],
) -> None:
    client = relay(env)
    assert client.get("/health").status == 200
    assert client.get("/openapi.json").status == 200
    answers = (
        client.get("/v1/models"),
        post(client),
        post(client, "/v1/responses", {"input": "x"}),
    )
    for answer in answers:
        assert (answer.status, answer.error["code"]) == (500, "misconfigured")
    assert client.backend.calls == []


def test_errors_carry_cors_and_request_id_headers() -> None:
    answer = post(relay())
    assert answer.status == 401
    assert answer.header("access-control-allow-origin") == ORIGIN
    assert answer.header("x-request-id")
    assert answer.header("www-authenticate") == "Bearer"


# --- upstream faults (rule 7) ---------------------------------------------------------------


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
    client = relay(backend=failing(upstream_error(upstream, "upstream said no")))
    answer = post(client, "/v1/responses", {"input": "x"}, bearer(KEY_A))
    assert answer.status == status
    assert answer.error["code"] == code
    assert "upstream said no" in answer.error["message"]
    assert answer.header("retry-after") == retry_after
    assert answer.header("access-control-allow-origin") == ORIGIN
    assert client.records[0]["error_code"] == code


def test_a_backend_error_keeps_its_status_and_headers() -> None:
    error = BackendError(503, "busy", type="api_error", code="busy", headers=(("x-why", "1"),))
    answer = post(relay(backend=failing(error)), "/v1/chat/completions", CHAT, bearer(KEY_A))
    assert answer.status == 503
    assert answer.error == {
        "message": "busy",
        "type": "api_error",
        "param": None,
        "code": "busy",
    }
    assert answer.header("x-why") == "1"


@pytest.mark.parametrize("data", [[1, 2], "text", None, 42])
def test_a_malformed_upstream_answer_is_502(data: object) -> None:
    backend = FakeBackend(lambda model, inputs, options: JsonResult(data, "log-1"))
    answer = post(relay(backend=backend), "/v1/chat/completions", CHAT, bearer(KEY_A))
    assert answer.status == 502
    assert answer.error["code"] == "upstream_malformed"


def test_each_model_endpoint_names_its_own_final_error_event() -> None:
    chat_route = model_route("openai/gpt-5.4-mini")
    pro_route = model_route("openai/gpt-5.4-pro")
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
    client = relay({**ENV, "MAX_BODY_BYTES": "4096", "LOG_PROMPTS": "true"}, limiter=Limiter(3))
    answers = [
        post(client, "/v1/chat/completions", CHAT, bearer(KEY_A)),
        post(client, "/v1/responses", {"input": "x", "stream": True}, ("api-key", KEY_A)),
        post(client, "/v1/chat/completions", b"{" * 5000, ("x-api-key", KEY_A)),
        post(client, "/v1/chat/completions", CHAT, bearer(KEY_A)),  # the 429
        post(client, "/v1/chat/completions", CHAT, bearer(WRONG)),
        post(client, "/v1/chat/completions", CHAT, ("x-api-key", WRONG)),
        client.get("/v1/models", headers=(bearer(KEY_B),)),
        post(client, "/v1/chat/completions", CHAT, bearer(KEY_B), ("cf-aig-ttl", KEY_B)),
    ]
    assert [a.status for a in answers] == [200, 200, 413, 429, 401, 401, 200, 200]
    visible = "\n".join(client.lines)
    visible += "".join(a.body.decode() + repr(a.response.headers) for a in answers)
    visible += repr([call.options for call in client.backend.calls])
    for secret in (KEY_A, KEY_B, WRONG):
        assert secret not in visible
        assert secret.rsplit("-", 1)[1] not in visible
    logged_ids = {record.get("key_id") for record in client.records}
    assert logged_ids == {key_id(key_digest(KEY_A)), key_id(key_digest(KEY_B)), None}
