"""Issue 4 end to end: keys, CORS, rate limits and logs over HTTP, on both hosts (`airelay dev`,
the Worker over HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from airelay.core.auth import key_digest, key_id
from airelay.core.sse import Decoder
from tests.client import live_sdk
from tests.live_server import HOST_PARAMS, LiveServer, relay_server

pytestmark = pytest.mark.e2e

KEY_A = "sk-e2e-alpha-6b2f90d1c4"
KEY_B = "sk-e2e-beta-e83a17f5b0"
KEY_C = "sk-e2e-gamma-45c0de9a7e"  # only the rate-limit test spends this key's requests
WRONG = "sk-e2e-wrong-0f1e2d3c4b"
ORIGIN = "https://app.example.com"
OTHER = "https://evil.example.net"
LIMIT = 3
SDK_HEADERS = (
    "authorization, content-type, accept, x-stainless-lang, x-stainless-os, "
    "x-stainless-retry-count, x-stainless-timeout"
)
CHAT = {"messages": [{"role": "user", "content": "hello from a browser"}], "stream": True}
# Variables the test runner's own environment might set, cleared ("" means unset).
CLEAN = {
    name: ""
    for name in (
        "ALLOW_ANONYMOUS",
        "LOG_PROMPTS",
        "RATE_LIMIT_PERIOD",
        "MAX_BODY_BYTES",
        "MAX_OUTPUT_TOKENS",
    )
}


def isolated(tmp: Path) -> tuple[str, ...]:
    """Return `airelay dev` arguments that ignore any `.dev.vars` in the working directory."""
    empty = tmp / "empty.vars"  # an explicit --env-file must exist
    empty.write_text("", encoding="utf-8")
    return ("--env-file", str(empty))


def limited(host: str, limit: int) -> tuple[str, ...]:
    """Return the arguments that give the Worker's Rate Limiting binding `limit` per minute."""
    # `airelay dev` limits in process (RATE_LIMIT_REQUESTS); the Worker through its binding,
    # whose limit is wrangler.toml's, not a variable.
    return ("--rate-limit", str(limit)) if host == "worker" else ()


def log_records(output: str) -> list[dict[str, object]]:
    """Return the JSON log lines a host printed (the Worker's come prefixed with `[py] `)."""
    lines = (line.removeprefix("[py] ") for line in output.splitlines())
    return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(scope="module", params=HOST_PARAMS)
def keyed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Run a relay with three keys, an origin allowlist and a small per-key rate limit."""
    env = {
        **CLEAN,
        "API_KEYS": f"{KEY_A},{KEY_B} {KEY_C}",
        "CORS_ALLOW_ORIGINS": f"{ORIGIN},http://localhost:5173",
        "RATE_LIMIT_REQUESTS": str(LIMIT),
    }
    args = isolated(tmp_path_factory.mktemp("keyed")) + limited(request.param, LIMIT)
    with relay_server(request.param, env=env, args=args) as running:
        yield running


def listed(value: str) -> set[str]:
    """Split a comma-separated header value into lower-cased items."""
    return {item.strip().lower() for item in value.split(",") if item.strip()}


# --- keys -----------------------------------------------------------------------------------


def test_sdk_raises_authentication_error_for_a_wrong_key(keyed: LiveServer) -> None:
    with live_sdk(keyed, WRONG) as client, pytest.raises(openai.AuthenticationError) as caught:
        client.models.list()
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert WRONG not in caught.value.response.text


def test_a_request_without_a_key_is_401(keyed: LiveServer) -> None:
    response = httpx.post(f"{keyed.url}/v1/chat/completions", json=CHAT)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("key", [KEY_A, KEY_B])
def test_sdk_is_served_with_each_rotated_key(keyed: LiveServer, key: str) -> None:
    with live_sdk(keyed, key) as client:
        completion = client.chat.completions.create(
            model="gpt-5.4-mini", messages=[{"role": "user", "content": "rotate me"}]
        )
    assert "rotate me" in (completion.choices[0].message.content or "")


@pytest.mark.parametrize("header", ["api-key", "x-api-key"])
def test_the_other_sdk_key_headers_work_over_http(keyed: LiveServer, header: str) -> None:
    response = httpx.get(f"{keyed.url}/v1/models", headers={header: KEY_B})
    assert response.status_code == 200


# --- rate limits ----------------------------------------------------------------------------


def spend(client: openai.OpenAI, calls: int, served: list[int]) -> None:
    """Call the chat route up to `calls` times, appending 200 to `served` for each answer."""
    for _ in range(calls):
        client.chat.completions.create(
            model="gpt-5.4-mini", messages=[{"role": "user", "content": "again"}]
        )
        served.append(200)


def test_sdk_raises_rate_limit_error_past_the_limit(keyed: LiveServer) -> None:
    served: list[int] = []
    # Fixed windows of real time: if one ends during the test, the next allows LIMIT more, so
    # the 429 comes within 2 * LIMIT + 1 calls, after at least LIMIT successes.
    with live_sdk(keyed, KEY_C) as client, pytest.raises(openai.RateLimitError) as caught:
        spend(client, 2 * LIMIT + 1, served)
    assert len(served) >= LIMIT
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.response.headers["retry-after"] == "60"


# --- browsers -------------------------------------------------------------------------------


def test_preflight_is_answered_before_auth_over_http(keyed: LiveServer) -> None:
    response = httpx.options(
        f"{keyed.url}/v1/chat/completions",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": SDK_HEADERS,
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "post" in listed(response.headers["access-control-allow-methods"])
    assert listed(response.headers["access-control-allow-headers"]) == listed(SDK_HEADERS)
    assert "access-control-allow-credentials" not in response.headers


def test_preflight_from_another_origin_gets_no_cors_headers(keyed: LiveServer) -> None:
    response = httpx.options(
        f"{keyed.url}/v1/chat/completions",
        headers={"origin": OTHER, "access-control-request-method": "POST"},
    )
    assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    ("path", "body", "last"),
    [
        ("/v1/chat/completions", CHAT, "[DONE]"),
        ("/v1/responses", {"input": "hello", "stream": True}, None),
    ],
)
def test_streamed_answers_carry_cors_headers(
    keyed: LiveServer, path: str, body: dict[str, object], last: str | None
) -> None:
    decoder = Decoder()
    headers = {"origin": ORIGIN, "authorization": f"Bearer {KEY_A}", "x-request-id": "e2e-cors"}
    with httpx.stream("POST", f"{keyed.url}{path}", json=body, headers=headers) as response:
        events = [event for chunk in response.iter_raw() for event in decoder.decode(chunk)]
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert listed(response.headers["access-control-expose-headers"]) >= {
        "x-request-id",
        "retry-after",
        "cf-aig-log-id",
    }
    assert response.headers["x-request-id"] == "e2e-cors"
    if last is not None:
        assert events[-1].data == last
    else:
        assert events[-1].event == "response.completed"


def test_errors_to_an_allowed_origin_are_readable_by_the_browser(keyed: LiveServer) -> None:
    response = httpx.post(f"{keyed.url}/v1/responses", json={}, headers={"origin": ORIGIN})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ORIGIN


# --- the keyless default --------------------------------------------------------------------


def test_a_server_without_keys_says_it_is_keyless(server: LiveServer) -> None:
    access = [line for line in server.log().splitlines() if line.startswith("access:")]
    assert len(access) == 1
    assert access[0].startswith("access: keyless")
    response = httpx.options(
        f"{server.url}/v1/responses",
        headers={"origin": OTHER, "access-control-request-method": "POST"},
    )
    assert response.headers["access-control-allow-origin"] == "*"


# --- logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", HOST_PARAMS)
def test_no_key_appears_in_the_output_of_a_full_request_cycle(tmp_path: Path, host: str) -> None:
    env = {
        **CLEAN,
        "API_KEYS": f"{KEY_A}\n{KEY_B}",
        "RATE_LIMIT_REQUESTS": "2",
        "LOG_PROMPTS": "true",
    }
    statuses: list[int] = []
    with relay_server(host, env=env, args=isolated(tmp_path) + limited(host, 2)) as running:
        with live_sdk(running, KEY_A) as client:
            client.chat.completions.create(
                model="gpt-5.4-mini", messages=[{"role": "user", "content": "first"}]
            )
            statuses.append(200)
            chunks = client.chat.completions.create(
                model="gpt-5.4-mini",
                messages=[{"role": "user", "content": "second"}],
                stream=True,
            )
            assert list(chunks)
            statuses.append(200)
        with live_sdk(running, WRONG) as client, pytest.raises(openai.AuthenticationError):
            client.responses.create(model="gpt-5.4-pro", input="nope")
        statuses.append(401)
        for header in ({"x-api-key": KEY_B}, {"api-key": WRONG}):
            statuses.append(httpx.get(f"{running.url}/v1/models", headers=header).status_code)
        with live_sdk(running, KEY_B) as client, pytest.raises(openai.RateLimitError):
            spend(client, 5, statuses)
        statuses.append(429)
    # The process has stopped: everything it printed, stdout and stderr, is in the log.
    output = running.log()
    for secret in (KEY_A, KEY_B, WRONG):
        assert secret not in output
        assert secret.rsplit("-", 1)[1] not in output
    records = log_records(output)
    assert [r["status"] for r in records] == statuses
    assert {r.get("key_id") for r in records} == {
        key_id(key_digest(KEY_A)),
        key_id(key_digest(KEY_B)),
        None,
    }
    if host == "local":  # `airelay dev` says how callers are let in; workerd prints nothing
        assert "access: 2 API key(s) from API_KEYS" in output
