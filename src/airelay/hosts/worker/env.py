"""The Worker's `env` as the core's Platform: its vars and secrets, and its bindings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import js

from airelay.core.types import Platform
from airelay.hosts.worker.binding import AiBinding, RateLimitBinding
from airelay.hosts.worker.bridge import _is_missing, _js, is_js, unwrap
from airelay.hosts.worker.webcrypto import WorkerTokenKeys

# The last env seen and the Platform made of it. Cloudflare passes requests the same env
# object "as long as the environment has not changed", "equal by identity"
# (developers.cloudflare.com/workers/runtime-apis/handlers/fetch/); a changed one is another.
# So one JS identity test (`==` of two JsProxies is JS `===`: pyodide src/core/jsproxy.c,
# JsProxy_RichCompare) stands for reading every variable and binding again: 2.5 us for the
# core's 24 lookups against 13 to 43 (bench/glue_pyodide.py, "env: Platform kept per env
# object"). An env seen for the first time, as each test's fresh one, is read in full.
_last_platform: list[tuple[Any, Platform]] = []


def platform_of(env: Any) -> Platform:
    """Return the core's Platform for the Worker's `env`, made once per env object."""
    raw_env = unwrap(env)
    if _last_platform and is_js(raw_env) and _last_platform[0][0] == raw_env:
        return _last_platform[0][1]
    limiter = getattr(raw_env, "RATE_LIMITER", None)
    platform = Platform(
        backend=AiBinding(getattr(raw_env, "AI", None)),
        env=EnvVars(raw_env),
        rate_limiter=None if _is_missing(limiter) else RateLimitBinding(limiter),
        token_keys=WorkerTokenKeys(),
    )
    _last_platform[:] = [(raw_env, platform)]
    return platform


class EnvVars(Mapping[str, str]):
    """The Worker's `env` vars and secrets as strings (JSON for [vars] objects); no bindings."""

    def __init__(self, env: Any) -> None:
        self._env = unwrap(env)
        self._vars: dict[str, str] | None = None

    def _read(self) -> dict[str, str]:
        # Read once (serve keeps one EnvVars per env object: see platform_of), all entries in
        # one crossing: every lookup on `env` is a call across the JS boundary (12 to 27 us
        # against 28 to 79 name by name: bench/glue_pyodide.py, "env: vars in one
        # Object.entries"). depth=2 converts the array and its [key, value] pairs; the values
        # stay JS objects unless primitive (Pyodide's to_py `depth`).
        if self._vars is None:
            self._vars = {}
            for key, value in _js().object_entries(self._env).to_py(depth=2):
                text = _var_text(value)
                if text is not None:
                    self._vars[str(key)] = text
        return self._vars

    def __getitem__(self, name: str) -> str:
        return self._read()[name]

    # The core looks up every variable name per request, most of them unset (core/settings.py
    # load_settings keys its cache on them all, through one `env.get`): the dict's own `get`
    # spares Mapping.get's KeyError per missing name, and a Python frame per name: 1.6 to 1.8 us
    # for the 24 names against 22 to 43 (bench/glue_pyodide.py, "env: get is the dict's own").
    @property
    def get(self) -> Callable[..., Any]:
        """Return the lookup: the dict's own `get`."""
        return self._read().get

    def __contains__(self, name: object) -> bool:
        return name in self._read()

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def _var_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    functions = _js()
    if is_js(value) and (
        functions.is_array(value) or functions.prototype_of(value) == functions.object_prototype
    ):
        return str(js.JSON.stringify(value))
    # Bindings (class instances, RPC stubs) are not vars; JSON.stringify may even throw on them.
    return None
