"""Settings: Worker vars parsed once per request into a frozen object; bad ones are a clear 500."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from airelay.core.errors import RelayError
from airelay.core.settings import Settings, load_settings


def misconfigured(env: dict[str, str]) -> RelayError:
    """Parse `env`, expecting the 500 that names the bad variable."""
    with pytest.raises(RelayError) as caught:
        Settings.from_env(env)
    error = caught.value
    assert (error.status, error.type, error.code) == (500, "server_error", "misconfigured")
    assert error.message.startswith("The relay is misconfigured: ")
    return error


def test_no_variables_give_the_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.gateway_id == "default"
    assert settings.skip_cache is None
    assert settings.cache_ttl is None
    assert settings.collect_log is None
    assert settings.request_timeout_ms is None
    assert (settings.max_attempts, settings.retry_delay_ms, settings.backoff) == (None, None, None)


def test_each_gateway_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "AI_GATEWAY_ID": "my-gateway_1",
            "AI_GATEWAY_SKIP_CACHE": "true",
            "AI_GATEWAY_CACHE_TTL": "3600",
            "AI_GATEWAY_COLLECT_LOG": "false",
            "AI_GATEWAY_REQUEST_TIMEOUT_MS": "30000",
            "AI_GATEWAY_MAX_ATTEMPTS": "3",
            "AI_GATEWAY_RETRY_DELAY_MS": "500",
            "AI_GATEWAY_BACKOFF": "exponential",
        }
    )
    assert settings.gateway_id == "my-gateway_1"
    assert (settings.skip_cache, settings.collect_log) == (True, False)
    assert (settings.cache_ttl, settings.request_timeout_ms) == (3600, 30000)
    assert (settings.max_attempts, settings.retry_delay_ms, settings.backoff) == (
        3,
        500,
        "exponential",
    )


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("false", False), ("0", False), ("TRUE", True)]
)
def test_boolean_variables_read_the_usual_spellings(raw: str, value: bool) -> None:
    assert Settings.from_env({"AI_GATEWAY_SKIP_CACHE": raw}).skip_cache is value


@pytest.mark.parametrize("raw", ["", "   "])
def test_an_empty_variable_means_unset(raw: str) -> None:
    # wrangler.toml templates leave vars empty rather than deleting them.
    settings = Settings.from_env({"AI_GATEWAY_ID": raw, "AI_GATEWAY_CACHE_TTL": raw})
    assert (settings.gateway_id, settings.cache_ttl) == ("default", None)


def test_values_are_trimmed() -> None:
    assert Settings.from_env({"AI_GATEWAY_CACHE_TTL": " 120\n"}).cache_ttl == 120


def test_unknown_variables_are_ignored() -> None:
    # The Worker's env also holds bindings and unrelated vars.
    assert Settings.from_env({"AI": "binding", "SOMETHING_ELSE": "x"}) == Settings.from_env({})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(ValidationError):
        settings.gateway_id = "other"


BOUNDS = [
    # (variable, accepted at the bound, rejected just past it)
    ("AI_GATEWAY_CACHE_TTL", "60", "59"),
    ("AI_GATEWAY_CACHE_TTL", "2592000", "2592001"),
    ("AI_GATEWAY_REQUEST_TIMEOUT_MS", "1", "0"),
    ("AI_GATEWAY_MAX_ATTEMPTS", "1", "0"),
    ("AI_GATEWAY_MAX_ATTEMPTS", "5", "6"),
    ("AI_GATEWAY_RETRY_DELAY_MS", "0", "-1"),
    ("AI_GATEWAY_RETRY_DELAY_MS", "5000", "5001"),
]


@pytest.mark.parametrize(("name", "inside", "outside"), BOUNDS)
def test_a_gateway_variable_at_its_bound_is_accepted(name: str, inside: str, outside: str) -> None:
    field = next(key for key, info in Settings.model_fields.items() if info.alias == name)
    assert getattr(Settings.from_env({name: inside}), field) == int(inside)


@pytest.mark.parametrize(("name", "inside", "outside"), BOUNDS)
def test_a_gateway_variable_past_its_bound_is_a_500_naming_it(
    name: str, inside: str, outside: str
) -> None:
    error = misconfigured({name: outside})
    assert f"variable {name}: " in error.message


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("AI_GATEWAY_ID", "has space"),
        ("AI_GATEWAY_ID", "-leading-dash"),
        ("AI_GATEWAY_ID", "x" * 65),
        ("AI_GATEWAY_SKIP_CACHE", "maybe"),
        ("AI_GATEWAY_CACHE_TTL", "an hour"),
        ("AI_GATEWAY_CACHE_TTL", "60.5"),
        ("AI_GATEWAY_BACKOFF", "random"),
    ],
)
def test_a_malformed_variable_is_a_500_naming_it_not_a_crash(name: str, raw: str) -> None:
    error = misconfigured({name: raw})
    assert f"variable {name}: " in error.message


def test_only_the_first_bad_variable_is_reported() -> None:
    error = misconfigured({"AI_GATEWAY_ID": "bad id", "AI_GATEWAY_BACKOFF": "random"})
    assert "AI_GATEWAY_ID" in error.message
    assert "AI_GATEWAY_BACKOFF" not in error.message


def test_settings_are_parsed_once_per_distinct_environment() -> None:
    env = {"ALLOW_ANONYMOUS": "true", "AI_GATEWAY_ID": "cache-probe-1"}
    first = load_settings(env)
    assert load_settings(dict(env)) is first
    assert load_settings({**env, "AI_GATEWAY_ID": "cache-probe-2"}) is not first


def test_a_misconfiguration_is_a_fresh_error_on_every_request() -> None:
    env = {"MAX_BODY_BYTES": "lots"}
    first, second = load_settings(env), load_settings(env)
    assert isinstance(first, RelayError)
    assert isinstance(second, RelayError)
    assert first is not second
    assert (first.status, first.code, first.message) == (second.status, second.code, second.message)
    assert "MAX_BODY_BYTES" in first.message
