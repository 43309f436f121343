"""The binding's third argument, `{"gateway": {...}}`: from settings, then caller headers."""

from __future__ import annotations

from typing import Any

import pytest

from airelay.core.errors import RelayError
from airelay.core.gateway import gateway_options
from airelay.core.settings import Settings
from airelay.core.types import Request


def options(env: dict[str, str] | None = None, **headers: str) -> dict[str, Any]:
    """Return the gateway options for settings from `env` and a request with `headers`."""
    request = Request(
        "POST", "/v1/responses", tuple((k.replace("_", "-"), v) for k, v in headers.items())
    )
    return gateway_options(Settings.from_env(env or {}).gateway, request)


def refused(env: dict[str, str] | None = None, **headers: str) -> RelayError:
    """Build options, expecting the 400 for a bad caller header."""
    with pytest.raises(RelayError) as caught:
        options(env, **headers)
    assert (caught.value.status, caught.value.code) == (400, "invalid_header")
    return caught.value


# --- from settings ---------------------------------------------------------------------------


def test_the_default_is_the_model_cards_default_gateway() -> None:
    assert gateway_options(Settings.from_env({}).gateway) == {"gateway": {"id": "default"}}


def test_every_gateway_setting_becomes_its_option() -> None:
    env = {
        "AI_GATEWAY_ID": "relay",
        "AI_GATEWAY_SKIP_CACHE": "true",
        "AI_GATEWAY_CACHE_TTL": "600",
        "AI_GATEWAY_COLLECT_LOG": "false",
        "AI_GATEWAY_REQUEST_TIMEOUT_MS": "20000",
        "AI_GATEWAY_MAX_ATTEMPTS": "3",
        "AI_GATEWAY_RETRY_DELAY_MS": "250",
        "AI_GATEWAY_BACKOFF": "linear",
    }
    assert gateway_options(Settings.from_env(env).gateway) == {
        "gateway": {
            "id": "relay",
            "skipCache": True,
            "cacheTtl": 600,
            "collectLog": False,
            "requestTimeoutMs": 20000,
            "retries": {"maxAttempts": 3, "retryDelayMs": 250, "backoff": "linear"},
        }
    }


def test_unset_options_are_left_out_not_nulled() -> None:
    # The Worker glue drops None too, but the core must not depend on it.
    gateway = gateway_options(Settings.from_env({"AI_GATEWAY_MAX_ATTEMPTS": "2"}).gateway)[
        "gateway"
    ]
    assert gateway == {"id": "default", "retries": {"maxAttempts": 2}}
    assert None not in gateway.values()


def test_false_is_sent_not_dropped() -> None:
    settings = Settings.from_env({"AI_GATEWAY_SKIP_CACHE": "false"})
    gateway = gateway_options(settings.gateway)["gateway"]
    assert gateway["skipCache"] is False


def test_each_call_gets_a_fresh_dict() -> None:
    settings = Settings.from_env({})
    first = gateway_options(settings.gateway)
    first["gateway"]["id"] = "changed"
    assert gateway_options(settings.gateway)["gateway"]["id"] == "default"


def test_each_call_gets_fresh_retries() -> None:
    settings = Settings.from_env({"AI_GATEWAY_MAX_ATTEMPTS": "2"})
    gateway_options(settings.gateway)["gateway"]["retries"]["maxAttempts"] = 5
    assert gateway_options(settings.gateway)["gateway"]["retries"] == {"maxAttempts": 2}


# --- caller headers (tests/test_gateway_headers.py covers them in full) ----------------------


def test_a_caller_header_overrides_the_operators_default() -> None:
    env = {"AI_GATEWAY_SKIP_CACHE": "false", "AI_GATEWAY_CACHE_TTL": "600"}
    gateway = options(env, cf_aig_skip_cache="true")["gateway"]
    assert gateway["skipCache"] is True
    assert gateway["cacheTtl"] == 600


def test_relay_metadata_is_passed_as_gateway_metadata() -> None:
    built = gateway_options(Settings.from_env({}).gateway, None, {"route": "chat", "key_id": "k"})
    assert built["gateway"]["metadata"] == {"route": "chat", "key_id": "k"}


@pytest.mark.parametrize(
    "ttl", ["59", "2592001", "-60", "1.5", "", "6\u00b2", "\u0663\u0660\u0660", "9" * 5000]
)
def test_a_bad_cf_aig_cache_ttl_is_a_400_not_a_crash(ttl: str) -> None:
    # "6²" passes str.isdigit() and "9"*5000 is past int()'s digit limit: both escaped as a
    # ValueError (a 500); Arabic-Indic "300" is not whole seconds in ASCII.
    assert refused(cf_aig_cache_ttl=ttl).param == "cf-aig-cache-ttl"


@pytest.mark.parametrize("event_id", ["id\n", "x" * 129, "has space"])
def test_a_cf_aig_event_id_with_anything_past_its_pattern_is_a_400(event_id: str) -> None:
    # `$` would match before a trailing newline; the check must use the whole string.
    assert refused(cf_aig_event_id=event_id).param == "cf-aig-event-id"


@pytest.mark.parametrize(
    "raw",
    ['{"a": NaN}', '{"a": Infinity}', '{"a": ' + "[" * 5000 + "]" * 5000 + "}"],
    ids=["nan", "infinity", "deep"],
)
def test_cf_aig_metadata_that_is_not_json_or_too_deep_is_a_400_not_a_crash(raw: str) -> None:
    # NaN is not JSON (and turns into null on the way to AI Gateway); deep nesting raised a
    # RecursionError, a 500.
    assert refused(cf_aig_metadata=raw).param == "cf-aig-metadata"
