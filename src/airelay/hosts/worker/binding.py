"""The Workers AI and Rate Limiting bindings as the core's Backend and RateLimiter."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pyodide.ffi import JsException

from airelay.core.errors import misconfigured
from airelay.core.types import BackendResult
from airelay.hosts.worker.answers import binding_error, read_raw_response
from airelay.hosts.worker.bridge import _is_missing, _js, json_to_js, unwrap

logger = logging.getLogger("airelay")


class AiBinding:
    """The Workers AI binding as a core Backend."""

    def __init__(self, binding: Any) -> None:
        self._ai = unwrap(binding)

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Call `env.AI.run` for the raw Response; return JSON data or the untouched stream."""
        if _is_missing(self._ai):
            raise misconfigured("the Workers AI binding `AI` is missing")
        # Every call asks for the upstream Response itself (see read_raw_response).
        # Options go as given, nulls included: AI Gateway's metadata allows null values, and
        # the relay leaves unset options out rather than nulling them (core/gateway.py).
        # Model, inputs and options cross as one JSON array, handed to `run` as its arguments
        # by Reflect.apply: one parse, no crossing per argument. Measured against converting
        # each argument, the await aside, it saves little or nothing: 37 us either way on
        # Pyodide 314, 42 against 48 on 0.28 (bench/glue_pyodide.py, "binding args as one JSON
        # array").
        args = json_to_js([model, inputs, {**options, "returnRawResponse": True}])
        try:
            raw = await _js().reflect_apply(self._ai.run, self._ai, args)
        except JsException as exc:
            raise binding_error(exc) from exc
        return await read_raw_response(raw)


class RateLimitBinding:
    """The Workers Rate Limiting binding as a core RateLimiter."""

    def __init__(self, binding: Any) -> None:
        self._limiter = unwrap(binding)

    async def limit(self, key: str) -> bool:
        """Count one request for `key`; return False when it is over the limit."""
        try:
            outcome = await self._limiter.limit(json_to_js({"key": key}))
        except JsException as exc:
            # The binding is a best-effort, per-location counter: when it fails, serve the
            # request rather than fail every caller.
            logger.warning("rate limiter failed, allowing the request: %s", exc)
            return True
        return bool(getattr(outcome, "success", True))
