"""Tier 2: the Worker's `env` as the core's Platform (hosts/worker/env.py): vars and secrets as
strings, read once per env object in one crossing, one Platform per env object."""

from __future__ import annotations

import json

import pytest

from tests.pyodide.runner_client import PyodideRunner
from tests.pyodide.snippets import run

pytestmark = pytest.mark.pyodide


def test_env_vars_read_as_strings(pyodide: PyodideRunner) -> None:
    env_vars = {
        "AI_GATEWAY_ID": "my-gateway",
        "AI_GATEWAY_CACHE_TTL": "",
        "SECRET_KEY": "sk-ünï",
        "COUNT": 3,
        "RATIO": 0.5,
        "ENABLED": True,
        "LIMITS": {"rpm": 60, "tags": ["a", None]},
    }
    got = run(
        pyodide,
        f"""
        from workers import _EnvWrapper
        env = stand_ins.makeEnv({json.dumps(env_vars)!r})
        plain, wrapped = EnvVars(env), EnvVars(_EnvWrapper(env))
        absent = [name for name in ("MISSING", "AI", "RATE_LIMITER", "constructor", "toString")
                  if name not in plain]
        [dict(plain), dict(wrapped), len(plain), absent, plain.get("MISSING", "default")]
        """,
    )
    expected = {
        "AI_GATEWAY_ID": "my-gateway",
        "AI_GATEWAY_CACHE_TTL": "",
        "SECRET_KEY": "sk-ünï",
        "COUNT": "3",
        "RATIO": "0.5",
        "ENABLED": "true",
        "LIMITS": '{"rpm":60,"tags":["a",null]}',
    }
    assert got[0] == expected
    assert got[1] == expected
    assert got[2] == len(expected)
    assert got[3] == ["MISSING", "AI", "RATE_LIMITER", "constructor", "toString"]
    assert got[4] == "default"


def test_env_get_taken_before_the_first_read_sees_every_variable(
    pyodide: PyodideRunner,
) -> None:
    # The core binds `env.get` once and maps it over every name (core/settings.py).
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv('{"AI_GATEWAY_ID": "gw", "COUNT": 3, "EMPTY": ""}')
        variables = EnvVars(env)
        get = variables.get
        [
            list(map(get, ["AI_GATEWAY_ID", "COUNT", "EMPTY", "MISSING", "AI"])),
            get("MISSING", "default"),
            variables.get("COUNT"),
            "AI" in variables,
        ]
        """,
    )
    assert got == [["gw", "3", "", None, None], "default", "3", False]


def test_env_vars_keep_their_first_read_and_a_new_one_reads_again(
    pyodide: PyodideRunner,
) -> None:
    # serve keeps one EnvVars per env object (platform_of); a new EnvVars, as a new env gets,
    # sees the env as it is now.
    got = run(
        pyodide,
        """
        env = stand_ins.makeEnv('{"API_KEYS": "old"}')
        first = EnvVars(env)
        before = first.get("API_KEYS")
        env.API_KEYS = "new"
        [before, first.get("API_KEYS"), EnvVars(env).get("API_KEYS")]
        """,
    )
    assert got == ["old", "old", "new"]


def test_one_env_object_makes_one_platform_and_another_env_its_own(
    pyodide: PyodideRunner,
) -> None:
    got = run(
        pyodide,
        """
        from workers import _EnvWrapper
        first = stand_ins.makeEnv('{"AI_GATEWAY_ID": "one"}')
        second = stand_ins.makeEnv('{"AI_GATEWAY_ID": "two"}', '{"rateLimiter": false}')
        a = platform_of(first)
        same = [platform_of(first) is a, platform_of(_EnvWrapper(first)) is a]
        b = platform_of(second)
        again = platform_of(first)
        [
            same,
            [p.env.get("AI_GATEWAY_ID") for p in (a, b, again)],
            [p.rate_limiter is None for p in (a, b, again)],
            b is not a,
            again.env.get("AI_GATEWAY_ID"),
        ]
        """,
    )
    assert got == [[True, True], ["one", "two", "one"], [False, True, False], True, "one"]
