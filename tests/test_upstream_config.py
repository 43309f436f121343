"""The upstream's variables and presets, and the gateway options as `cf-aig-*` headers."""

from __future__ import annotations

import re

import pytest

from airelay.backends import upstream
from airelay.backends.upstream import UpstreamConfigError, from_env
from airelay.backends.upstream.config import Deadlines
from airelay.backends.upstream.gateway_headers import gateway_headers
from airelay.backends.upstream.http_backend import UpstreamBackend

MINI, PRO = "openai/gpt-5.4-mini", "openai/gpt-5.4-pro"
ACCOUNT = {"CLOUDFLARE_ACCOUNT_ID": "0123abcd", "CLOUDFLARE_API_TOKEN": "cf-token"}


def test_no_upstream_variable_keeps_the_local_model() -> None:
    assert from_env({}) is None
    assert from_env({"UPSTREAM_BASE_URL": "  ", "UPSTREAM_API_KEY": "sk-x"}) is None


def test_a_base_url_is_used_as_given_less_its_trailing_slash() -> None:
    config = from_env({"UPSTREAM_BASE_URL": "http://127.0.0.1:8000/v1/", "UPSTREAM_API_KEY": "k"})
    assert config is not None
    assert config.base_url == "http://127.0.0.1:8000/v1"
    assert config.api_key == "k"
    assert config.preset is None
    assert not config.sends_gateway_options
    assert config.models == {MINI: MINI, PRO: PRO}
    assert config.deadlines == Deadlines()


def test_each_route_may_name_its_own_upstream_model() -> None:
    env = {
        "UPSTREAM_BASE_URL": "https://api.openai.com/v1",
        "UPSTREAM_CHAT_MODEL": "gpt-5.4-mini",
        "UPSTREAM_RESPONSES_MODEL": "gpt-5.4-pro",
    }
    config = from_env(env)
    assert config is not None
    assert config.models == {MINI: "gpt-5.4-mini", PRO: "gpt-5.4-pro"}


def test_the_workers_ai_preset_calls_the_rest_api_with_the_api_token() -> None:
    config = from_env({"UPSTREAM_BASE_URL": "workers-ai", **ACCOUNT})
    assert config is not None
    assert config.base_url == "https://api.cloudflare.com/client/v4/accounts/0123abcd/ai/v1"
    assert config.api_key == "cf-token"
    assert config.gateway_token is None
    assert config.sends_gateway_options


def test_the_ai_gateway_preset_sends_the_token_as_cf_aig_authorization() -> None:
    config = from_env({"UPSTREAM_BASE_URL": "ai-gateway", **ACCOUNT, "UPSTREAM_API_KEY": "sk-p"})
    assert config is not None
    assert config.base_url == "https://gateway.ai.cloudflare.com/v1/0123abcd/{gateway}/compat"
    assert config.gateway_token == "cf-token"
    assert config.api_key == "sk-p"


def test_keys_never_show_in_the_config_repr_or_description() -> None:
    config = from_env({"UPSTREAM_BASE_URL": "ai-gateway", **ACCOUNT, "UPSTREAM_API_KEY": "sk-p"})
    assert config is not None
    shown = repr(config) + config.describe()
    assert "cf-token" not in shown
    assert "sk-p" not in shown
    assert config.describe().endswith("(ai-gateway preset)")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"UPSTREAM_BASE_URL": "workers-ai"}, "CLOUDFLARE_ACCOUNT_ID"),
        ({"UPSTREAM_BASE_URL": "workers-ai", "CLOUDFLARE_ACCOUNT_ID": "abc"}, "API_TOKEN"),
        ({"UPSTREAM_BASE_URL": "ai-gateway", "CLOUDFLARE_ACCOUNT_ID": "a/b"}, "letters"),
        ({"UPSTREAM_BASE_URL": "ftp://host/v1"}, "http(s) URL"),
        ({"UPSTREAM_BASE_URL": "openai"}, "workers-ai, ai-gateway"),
        ({"UPSTREAM_BASE_URL": "https://user:sk-secret@host/v1"}, "UPSTREAM_API_KEY"),
        ({"UPSTREAM_BASE_URL": "http://h/v1", "UPSTREAM_TIMEOUT_S": "0"}, "UPSTREAM_TIMEOUT_S"),
        ({"UPSTREAM_BASE_URL": "http://h/v1", "UPSTREAM_CONNECT_TIMEOUT_S": "x"}, "CONNECT"),
    ],
)
def test_a_bad_upstream_variable_is_named_without_its_secret(
    env: dict[str, str], named: str
) -> None:
    with pytest.raises(UpstreamConfigError, match=re.escape(named)) as raised:
        from_env(env)
    assert "sk-secret" not in str(raised.value)


def test_deadlines_come_from_their_variables() -> None:
    config = from_env(
        {
            "UPSTREAM_BASE_URL": "http://h/v1",
            "UPSTREAM_CONNECT_TIMEOUT_S": "1.5",
            "UPSTREAM_FIRST_BYTE_TIMEOUT_S": "20",
            "UPSTREAM_TIMEOUT_S": "60",
        }
    )
    assert config is not None
    assert config.deadlines == Deadlines(connect=1.5, first_byte=20, total=60)


def test_every_gateway_option_becomes_its_documented_header() -> None:
    options = {
        "gateway": {
            "id": "my-gw",
            "skipCache": True,
            "cacheTtl": 3600,
            "cacheKey": "k1",
            "metadata": {"route": "chat", "key_id": "anonymous", "n": 1, "ok": None},
            "collectLog": False,
            "eventId": "ev-1",
            "requestTimeoutMs": 30000,
            "retries": {"maxAttempts": 3, "retryDelayMs": 500, "backoff": "exponential"},
        }
    }
    assert gateway_headers(options) == [
        ("cf-aig-skip-cache", "true"),
        ("cf-aig-cache-ttl", "3600"),
        ("cf-aig-cache-key", "k1"),
        ("cf-aig-metadata", '{"route":"chat","key_id":"anonymous","n":1,"ok":null}'),
        ("cf-aig-collect-log", "false"),
        ("cf-aig-event-id", "ev-1"),
        ("cf-aig-request-timeout", "30000"),
        ("cf-aig-max-attempts", "3"),
        ("cf-aig-retry-delay", "500"),
        ("cf-aig-backoff", "exponential"),
    ]


def test_metadata_goes_as_ascii_json() -> None:
    headers = dict(gateway_headers({"gateway": {"metadata": {"who": "Zoë"}}}))
    assert headers["cf-aig-metadata"] == '{"who":"Zo\\u00eb"}'
    assert headers["cf-aig-metadata"].isascii()


def test_the_backend_is_built_from_the_variables_on_every_call() -> None:
    env = {"UPSTREAM_BASE_URL": "http://127.0.0.1:1/v1"}
    # Twice: once the backend's module is imported it must not shadow the function.
    assert isinstance(upstream.backend(env), UpstreamBackend)
    assert isinstance(upstream.backend(env), UpstreamBackend)
    assert upstream.backend({}) is None
