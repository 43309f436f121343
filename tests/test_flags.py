"""One rule for true and false: `true`/`false` or `1`/`0`, any case, in variables and headers."""

from __future__ import annotations

import pytest

from airelay.core.errors import RelayError
from airelay.core.flags import is_true, parse_flag, parse_number
from airelay.core.gateway import caller_options
from airelay.core.settings import Settings
from airelay.core.types import Request
from airelay.hosts.local import local_env

SAYS_TRUE = ["true", "TRUE", "True", "1", " true "]
SAYS_FALSE = ["false", "FALSE", "0", " 0 "]
NEITHER = ["yes", "no", "on", "off", "t", "f", "y", "n", "2", "truth", "maybe"]
FLAG_VARIABLES = [
    "ALLOW_ANONYMOUS",
    "LOG_PROMPTS",
    "AI_GATEWAY_SKIP_CACHE",
    "AI_GATEWAY_COLLECT_LOG",
    "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY",
]
FIELDS = {
    "ALLOW_ANONYMOUS": "allow_anonymous",
    "LOG_PROMPTS": "log_prompts",
    "AI_GATEWAY_SKIP_CACHE": "skip_cache",
    "AI_GATEWAY_COLLECT_LOG": "collect_log",
    "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY": "allow_caller_cache_key",
}


@pytest.mark.parametrize("raw", SAYS_TRUE)
def test_true_and_1_in_any_case_say_true(raw: str) -> None:
    assert parse_flag(raw) is True
    assert is_true(raw)


@pytest.mark.parametrize("raw", SAYS_FALSE)
def test_false_and_0_in_any_case_say_false(raw: str) -> None:
    assert parse_flag(raw) is False
    assert not is_true(raw)


@pytest.mark.parametrize("raw", NEITHER)
def test_anything_else_is_refused_not_guessed(raw: str) -> None:
    with pytest.raises(ValueError, match="expected true or false"):
        parse_flag(raw)
    assert not is_true(raw)


@pytest.mark.parametrize("name", FLAG_VARIABLES)
@pytest.mark.parametrize(("raw", "meaning"), [("TRUE", True), ("1", True), ("0", False)])
def test_every_flag_variable_reads_the_one_rule(name: str, raw: str, meaning: bool) -> None:
    env = {name: raw, "CORS_ALLOW_ORIGINS": ""}
    if name != "ALLOW_ANONYMOUS":
        env["ALLOW_ANONYMOUS"] = "true"
    assert getattr(Settings.from_env(env), FIELDS[name]) is meaning


@pytest.mark.parametrize("name", FLAG_VARIABLES)
@pytest.mark.parametrize("raw", ["yes", "on", "t"])
def test_a_flag_variable_outside_the_rule_is_a_500_naming_it(name: str, raw: str) -> None:
    # pydantic alone would read these as true.
    with pytest.raises(RelayError) as caught:
        Settings.from_env({name: raw})
    assert caught.value.code == "misconfigured"
    assert f"variable {name}: expected true or false" in caught.value.message


@pytest.mark.parametrize("raw", ["TRUE", "1"])
def test_the_local_host_opens_cors_for_keyless_access_by_the_same_rule(raw: str) -> None:
    assert local_env({"ALLOW_ANONYMOUS": raw})["CORS_ALLOW_ORIGINS"] == "*"


@pytest.mark.parametrize("raw", ["yes", "on", "0"])
def test_the_local_host_keeps_cors_closed_for_anything_else(raw: str) -> None:
    assert "CORS_ALLOW_ORIGINS" not in local_env({"ALLOW_ANONYMOUS": raw})


@pytest.mark.parametrize(("raw", "meaning"), [("TRUE", True), ("1", True), ("0", False)])
def test_the_skip_cache_header_reads_the_same_rule(raw: str, meaning: bool) -> None:
    request = Request("POST", "/v1/responses", (("cf-aig-skip-cache", raw),))
    assert caller_options(Settings.from_env({}).gateway, request) == {"skipCache": meaning}


@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "-inf", "1e999", "ten", ""])
def test_a_number_of_seconds_is_finite_and_above_zero(raw: str) -> None:
    with pytest.raises(ValueError, match=f"^WAIT_S must be a number of seconds > 0, got {raw!r}$"):
        parse_number(raw, "WAIT_S", "seconds")


def test_a_number_that_may_be_zero_is_read_as_it_is_written() -> None:
    assert parse_number(" 0 ", "DELAY_MS", "milliseconds", zero=True) == 0.0
    assert parse_number("2.5", "DELAY_MS", "milliseconds", zero=True) == 2.5
    with pytest.raises(ValueError, match=r"^DELAY_MS must be a number of milliseconds >= 0"):
        parse_number("-0.5", "DELAY_MS", "milliseconds", zero=True)
