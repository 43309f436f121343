"""The table of response headers: every header the relay sets is in it, CORS and OpenAPI read it."""

from __future__ import annotations

from typing import Any

import pytest

from airelay.core import openapi
from airelay.core.cors import EXPOSED_HEADERS
from airelay.core.errors import BackendError
from airelay.core.headers import (
    BY_NAME,
    CACHE_STATUS,
    EVERY,
    LOG_ID,
    MODEL,
    MODEL_SUCCESS,
    RESPONSE_HEADERS,
    gateway_headers,
)
from airelay.core.types import JsonResult, StreamResult
from tests.client import CoreClient, Result
from tests.fakes import answering, failing

APP = "https://app.example.com"
KEY = "sk-headers-1"
CHAT_PATH = "/v1/chat/completions"
HELLO = {"messages": [{"role": "user", "content": "hi"}]}
ENV = {"API_KEYS": KEY, "CORS_ALLOW_ORIGINS": APP}
CALLER = {"authorization": f"Bearer {KEY}", "origin": APP}
DOC = openapi.document()


class Refusing:
    """A rate limiter that refuses every request."""

    async def limit(self, key: str) -> bool:
        """Refuse."""
        return False


def answers() -> dict[str, tuple[str, Result]]:
    """Return, per case, the documented response it stands for and what the core answered."""
    gateway = JsonResult({"id": "c-1"}, "log-1", "HIT")
    stream = StreamResult(object(), "log-2", "MISS")
    upstream = BackendError(
        429, "busy", type="rate_limit_error", headers=(("retry-after", "3"),), log_id="log-3"
    )
    return {
        "json": (
            "200",
            CoreClient(ENV, answering(gateway)).post(CHAT_PATH, json=HELLO, headers=CALLER),
        ),
        "stream": (
            "200",
            CoreClient(ENV, answering(stream)).post(CHAT_PATH, json=HELLO, headers=CALLER),
        ),
        "upstream 429": (
            "429",
            CoreClient(ENV, failing(upstream)).post(CHAT_PATH, json=HELLO, headers=CALLER),
        ),
        "no key": ("401", CoreClient(ENV).post(CHAT_PATH, json=HELLO, headers={"origin": APP})),
        "bad token": (
            "401",
            CoreClient({**ENV, "TOKEN_SECRETS": "s" * 32}).post(
                CHAT_PATH, json=HELLO, headers={"authorization": "Bearer a.b.c"}
            ),
        ),
        "wrong method": ("405", CoreClient(ENV).get(CHAT_PATH, headers=CALLER)),
        "not found": ("404", CoreClient(ENV).get("/nowhere", headers=CALLER)),
        "rate limited": (
            "429",
            CoreClient(ENV, rate_limiter=Refusing()).post(CHAT_PATH, json=HELLO, headers=CALLER),
        ),
        "preflight": (
            "204",
            CoreClient(ENV).options(
                CHAT_PATH,
                headers={
                    "origin": APP,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "authorization, content-type",
                },
            ),
        ),
    }


ANSWERS = answers()


def documented_on(path: str, status: str) -> set[str]:
    """Return the headers OpenAPI documents on `path`'s POST answer `status`."""
    response: dict[str, Any] = DOC["paths"][path]["post"]["responses"][status]
    if "$ref" in response:
        response = DOC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return set(response["headers"])


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_every_header_the_relay_sets_is_in_the_table(case: str) -> None:
    _, result = ANSWERS[case]
    names = {name.lower() for name, _ in result.response.headers}
    assert names <= set(BY_NAME), names - set(BY_NAME)


def test_the_answers_set_each_documented_header_somewhere() -> None:
    seen = {name.lower() for _, result in ANSWERS.values() for name, _ in result.response.headers}
    assert {header.name for header in RESPONSE_HEADERS if header.schema is not None} <= seen


@pytest.mark.parametrize("case", ["json", "stream", "no key", "wrong method", "rate limited"])
def test_openapi_documents_the_headers_an_answer_carries(case: str) -> None:
    status, result = ANSWERS[case]
    assert result.status == int(status)
    carried = {name.lower() for name, _ in result.response.headers}
    documented = {header.name for header in RESPONSE_HEADERS if header.schema is not None}
    assert carried & documented <= documented_on(CHAT_PATH, status)


def test_a_model_answer_carries_the_gateways_log_id_and_cache_status() -> None:
    for case, (log_id, cache_status) in {
        "json": ("log-1", "HIT"),
        "stream": ("log-2", "MISS"),
    }.items():
        result = ANSWERS[case][1]
        assert (result.header(LOG_ID), result.header(CACHE_STATUS)) == (log_id, cache_status)


def test_a_failed_model_call_answers_and_logs_its_log_id() -> None:
    client = CoreClient(backend=failing(BackendError(502, "x", type="api_error", log_id="log-f")))
    result = client.post(CHAT_PATH, json=HELLO)
    assert result.status == 502
    assert result.header(LOG_ID) == "log-f"
    assert client.records[0]["gateway_log_id"] == "log-f"


def test_browsers_may_read_exactly_the_exposed_headers_of_the_table() -> None:
    exposed = [header.name for header in RESPONSE_HEADERS if header.exposed]
    assert EXPOSED_HEADERS == "x-request-id, retry-after, cf-aig-log-id, cf-aig-cache-status"
    assert EXPOSED_HEADERS.split(", ") == exposed
    cors = ANSWERS["json"][1].header("access-control-expose-headers")
    assert cors == EXPOSED_HEADERS


def test_every_documented_header_says_which_answers_carry_it() -> None:
    for header in RESPONSE_HEADERS:
        assert header.on
        assert header.description.strip()
        assert header.name == header.name.lower()
    assert EVERY in BY_NAME["x-request-id"].on
    assert MODEL in BY_NAME[LOG_ID].on
    assert MODEL_SUCCESS in BY_NAME[CACHE_STATUS].on


@pytest.mark.parametrize(
    ("log_id", "cache_status", "headers"),
    [
        ("log-1", "HIT", [(LOG_ID, "log-1"), (CACHE_STATUS, "HIT")]),
        ("log-1", None, [(LOG_ID, "log-1")]),
        (None, "MISS", [(CACHE_STATUS, "MISS")]),
        (None, None, []),
        ("", "", []),
    ],
)
def test_gateway_headers_carry_only_what_the_gateway_gave(
    log_id: str | None, cache_status: str | None, headers: list[tuple[str, str]]
) -> None:
    assert gateway_headers(log_id, cache_status) == headers
