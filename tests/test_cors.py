"""Browsers (issue 4, rule 2): preflights before auth, CORS on every real answer, allowlists."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import httpx
import pytest

from airelay.core.cors import ALLOWED_METHODS, CorsPolicy
from airelay.core.types import Request
from airelay.hosts.local import build_app
from tests.client import CoreClient, asgi_http, asgi_request
from tests.fakes import run

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
KEY = "sk-cors-key-4e1b7a"
ENV = {"API_KEYS": KEY, "CORS_ALLOW_ORIGINS": f"{APP}, http://localhost:5173"}
CHAT = {"messages": [{"role": "user", "content": "hello there"}]}
# What the openai SDK for JavaScript asks for in a browser, and what plain `fetch` asks for.
SDK_HEADERS = (
    "authorization, content-type, accept, openai-organization, openai-project, "
    "x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, "
    "x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, "
    "x-stainless-timeout"
)
FETCH_HEADERS = "content-type, authorization"
GATEWAY_HEADERS = "cf-aig-skip-cache, cf-aig-cache-ttl, cf-aig-event-id, cf-aig-metadata"
POLICY = CorsPolicy(frozenset({APP}))


def preflight(origin: str | None, wanted: str = FETCH_HEADERS, method: str = "POST") -> Request:
    """Return a browser's preflight for a POST to the chat route."""
    headers = [
        ("access-control-request-method", method),
        ("access-control-request-headers", wanted),
    ]
    if origin is not None:
        headers.append(("origin", origin))
    return Request("OPTIONS", "/v1/chat/completions", tuple(headers))


def cors_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the access-control-* headers, by lower-cased name."""
    return {k.lower(): v for k, v in headers if k.lower().startswith("access-control-")}


def listed(value: str) -> set[str]:
    """Split a comma-separated header value into lower-cased items."""
    return {item.strip().lower() for item in value.split(",") if item.strip()}


# --- the policy -----------------------------------------------------------------------------


def test_preflight_from_an_allowed_origin_grants_methods_and_headers() -> None:
    response = POLICY.preflight(preflight(APP, f"{SDK_HEADERS}, {GATEWAY_HEADERS}"))
    assert response.status == 204
    grants = cors_headers(response.headers)
    assert grants["access-control-allow-origin"] == APP
    assert listed(grants["access-control-allow-methods"]) == {"get", "post", "options"}
    assert listed(grants["access-control-allow-headers"]) == listed(
        f"{SDK_HEADERS}, {GATEWAY_HEADERS}"
    )
    assert int(grants["access-control-max-age"]) > 0
    assert "origin" in listed(response.header("vary") or "")


@pytest.mark.parametrize("header", ["api-key", "x-api-key", "x-request-id", "cf-aig-cache-key"])
def test_preflight_grants_the_other_headers_callers_send(header: str) -> None:
    response = POLICY.preflight(preflight(APP, header))
    assert listed(cors_headers(response.headers)["access-control-allow-headers"]) == {header}


def test_preflight_grants_only_allowlisted_headers() -> None:
    response = POLICY.preflight(preflight(APP, "Content-Type, X-Evil, Cookie"))
    assert listed(cors_headers(response.headers)["access-control-allow-headers"]) == {
        "content-type"
    }


@pytest.mark.parametrize("origin", [OTHER, "https://app.example.com.evil.net", "null", None])
def test_preflight_from_another_origin_gets_no_cors_headers(origin: str | None) -> None:
    response = POLICY.preflight(preflight(origin))
    assert response.status == 204
    assert cors_headers(response.headers) == {}
    assert response.header("allow") == ", ".join(ALLOWED_METHODS)


def test_options_without_a_requested_method_is_not_a_preflight() -> None:
    request = Request("OPTIONS", "/v1/chat/completions", (("origin", APP),))
    assert cors_headers(POLICY.preflight(request).headers) == {}


def test_origins_match_whatever_their_case_or_trailing_slash() -> None:
    assert POLICY.allows("HTTPS://App.Example.com/")
    assert not POLICY.allows("http://app.example.com")
    assert not POLICY.allows("https://app.example.com:8443")


def test_real_responses_to_an_allowed_origin_expose_the_relay_headers() -> None:
    headers = POLICY.headers(Request("POST", "/v1/responses", (("origin", APP),)))
    grants = cors_headers(headers)
    assert grants["access-control-allow-origin"] == APP
    assert listed(grants["access-control-expose-headers"]) >= {
        "x-request-id",
        "retry-after",
        "cf-aig-log-id",
        "cf-aig-cache-status",
    }
    assert ("vary", "Origin") in headers


@pytest.mark.parametrize("origin", [OTHER, None])
def test_real_responses_to_other_origins_carry_no_cors_headers(origin: str | None) -> None:
    headers = (("origin", origin),) if origin else ()
    assert cors_headers(POLICY.headers(Request("POST", "/v1/responses", headers))) == {}


def test_any_origin_answers_star_and_never_allows_credentials() -> None:
    anyone = CorsPolicy(frozenset(), any_origin=True)
    request = Request("POST", "/v1/responses", (("origin", OTHER),))
    assert cors_headers(anyone.headers(request))["access-control-allow-origin"] == "*"
    granted = cors_headers(anyone.preflight(preflight(OTHER)).headers)
    assert granted["access-control-allow-origin"] == "*"
    for headers in (anyone.headers(request), anyone.preflight(preflight(OTHER)).headers):
        assert "access-control-allow-credentials" not in cors_headers(headers)


def test_allowlisted_origins_are_never_told_they_may_send_credentials() -> None:
    for headers in (
        POLICY.headers(Request("GET", "/v1/models", (("origin", APP),))),
        POLICY.preflight(preflight(APP)).headers,
    ):
        assert "access-control-allow-credentials" not in cors_headers(headers)


# --- configuration --------------------------------------------------------------------------


def test_star_with_keys_and_no_anonymous_access_is_misconfigured() -> None:
    response = CoreClient({"API_KEYS": KEY, "CORS_ALLOW_ORIGINS": "*"}).send(preflight(APP))
    assert response.status == 500
    error = response.error
    assert error["code"] == "misconfigured"
    assert "CORS_ALLOW_ORIGINS" in error["message"]
    assert "ALLOW_ANONYMOUS" in error["message"]


def test_star_with_anonymous_access_is_accepted() -> None:
    env = {"ALLOW_ANONYMOUS": "true", "CORS_ALLOW_ORIGINS": "*"}
    response = CoreClient(env).send(preflight(OTHER))
    assert cors_headers(response.headers.items())["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("bad", ["app.example.com", "https://app.example.com/path", "ftp://x.y"])
def test_an_origin_that_is_not_an_origin_is_misconfigured(bad: str) -> None:
    response = CoreClient({"API_KEYS": KEY, "CORS_ALLOW_ORIGINS": bad}).send(preflight(APP))
    assert response.status == 500
    assert "CORS_ALLOW_ORIGINS" in response.error["message"]


# --- through the core -----------------------------------------------------------------------


def test_preflight_is_answered_before_auth() -> None:
    response = CoreClient(ENV).send(preflight(APP, SDK_HEADERS))
    assert response.status == 204
    assert cors_headers(response.headers.items())["access-control-allow-origin"] == APP
    assert response.header("x-request-id")


def test_preflight_for_an_unknown_path_is_404() -> None:
    headers = (("origin", APP), ("access-control-request-method", "GET"))
    assert CoreClient(ENV).options("/v1/unknown", headers=headers).status == 404


def test_preflight_allows_the_methods_of_its_route() -> None:
    headers = (("origin", APP), ("access-control-request-method", "POST"))
    response = CoreClient(ENV).options("/v1/chat/completions", headers=headers)
    assert response.status == 204
    assert response.header("allow") == "POST, OPTIONS"
    assert response.header("access-control-allow-methods") == "POST, OPTIONS"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ((), 401),
        ((("authorization", f"Bearer {KEY}"),), 200),
        ((("authorization", f"Bearer {KEY}"), ("cf-aig-cache-ttl", "1")), 400),
    ],
)
def test_answers_and_errors_alike_carry_cors_headers(
    headers: tuple[tuple[str, str], ...], status: int
) -> None:
    body = json.dumps(CHAT).encode()
    response = CoreClient(ENV).post(
        "/v1/chat/completions", content=body, headers=(("origin", APP), *headers)
    )
    assert response.status == status
    assert cors_headers(response.headers.items())["access-control-allow-origin"] == APP


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/nothing-here", 404),
        ("GET", "/v1/chat/completions", 405),
        ("GET", "/health", 200),
    ],
)
def test_routing_errors_carry_cors_headers_too(method: str, path: str, status: int) -> None:
    response = CoreClient(ENV).request(method, path, headers=(("origin", APP),))
    assert response.status == status
    assert cors_headers(response.headers.items())["access-control-allow-origin"] == APP


def test_a_missing_key_setup_is_a_500_a_page_can_read() -> None:
    response = CoreClient({"CORS_ALLOW_ORIGINS": APP}).get("/v1/models", headers=(("origin", APP),))
    assert response.status == 500
    assert cors_headers(response.headers.items())["access-control-allow-origin"] == APP


# --- the local host over HTTP ---------------------------------------------------------------


def http(env: Mapping[str, str], method: str, path: str, **kwargs: object) -> httpx.Response:
    """Send one request to the local host in process, reading the whole (streamed) body."""
    return asgi_request(build_app(env), method, path, **kwargs)


def test_local_host_answers_the_sdk_preflight_without_a_key() -> None:
    response = http(
        ENV,
        "OPTIONS",
        "/v1/responses",
        headers={
            "origin": APP,
            "access-control-request-method": "POST",
            "access-control-request-headers": SDK_HEADERS,
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP
    assert "post" in listed(response.headers["access-control-allow-methods"])
    assert listed(response.headers["access-control-allow-headers"]) == listed(SDK_HEADERS)


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/responses"])
def test_local_host_streams_carry_cors_headers(path: str) -> None:
    body = dict(CHAT, stream=True) if "chat" in path else {"input": "hello", "stream": True}
    response = http(
        ENV, "POST", path, json=body, headers={"origin": APP, "authorization": f"Bearer {KEY}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["access-control-allow-origin"] == APP
    assert "x-request-id" in listed(response.headers["access-control-expose-headers"])
    assert response.headers["x-request-id"]


def test_local_host_streams_to_other_origins_carry_no_cors_headers() -> None:
    response = http(
        ENV,
        "POST",
        "/v1/chat/completions",
        json=dict(CHAT, stream=True),
        headers={"origin": OTHER, "authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 200
    assert not [name for name in response.headers if name.startswith("access-control-")]


def test_keyless_local_host_lets_any_origin_read_streams() -> None:
    response = http(
        {}, "POST", "/v1/chat/completions", json=dict(CHAT, stream=True), headers={"origin": OTHER}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_local_host_exposes_retry_after_on_429() -> None:
    env = {**ENV, "RATE_LIMIT_REQUESTS": "1"}

    async def go() -> list[httpx.Response]:
        headers = {"origin": APP, "authorization": f"Bearer {KEY}"}
        async with asgi_http(build_app(env)) as client:
            # One per window: at most one more passes if a window ends between the calls.
            return [
                await client.post("/v1/chat/completions", json=CHAT, headers=headers)
                for _ in range(3)
            ]

    limited = [r for r in run(go()) if r.status_code == 429]
    assert limited
    assert limited[0].headers["access-control-allow-origin"] == APP
    assert "retry-after" in listed(limited[0].headers["access-control-expose-headers"])
    assert limited[0].headers["retry-after"] == "60"
