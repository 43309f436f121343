"""The core's own pydantic-free per-request steps, timed; runs unchanged in Pyodide and CPython.

Their Pyodide/CPython ratio is the factor for the core's CPU on the Worker: pure Python and
the standard library's C parts (json, re, hashlib, hmac), as the core spends it, with no JS
boundary and no promise awaits, which only the glue has. `bench/glue_pyodide.py` sends this
file's text to real Pyodide and imports it in CPython.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Coroutine
from typing import Any

# The glue's workload's request: that file goes to Pyodide beside this one.
from glue_workload import MODEL, REQUEST_BODY, REQUEST_HEADERS

USAGE = {"prompt_tokens": 31, "completion_tokens": 21, "total_tokens": 52}
CHUNK = {
    "id": "chatcmpl-0123456789",
    "object": "chat.completion.chunk",
    "created": 1795430400,
    "model": MODEL,
    "choices": [{"index": 0, "delta": {"content": "2, 3 and 5."}, "finish_reason": None}],
}


def finished(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Return the result of a coroutine that never suspends, without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the step suspended")


def steps() -> dict[str, Callable[[], Any]]:
    """Return the per-request steps, by name; `auth` only where PyJWT (its import) is present."""
    from airelay.core import jsonio, observability, sse
    from airelay.core.gateway import GatewayPolicy, gateway_options
    from airelay.core.types import Request

    body_text = REQUEST_BODY.decode()
    request = Request("POST", "/v1/chat/completions", REQUEST_HEADERS, REQUEST_BODY, "", "::1")
    inputs = {k: v for k, v in jsonio.loads(body_text).items() if k != "model"}
    metadata = {"route": "chat.completions", "key_id": "key_0123456789ab"}
    # Settings build this policy once per environment (core/settings.py, with pydantic).
    gateway = GatewayPolicy(cache_ttl=3600, collect_log=True)
    gateway_options(gateway)  # its defaults are computed once, then kept

    def log_line() -> str:
        log = observability.RequestLog(observability.request_id(request), "POST", request.path)
        log.route, log.model, log.status, log.duration_ms = "chat", MODEL, 200, 1.25
        log.key_id, log.usage = "key_0123456789ab", USAGE
        return log.line()

    found: dict[str, Callable[[], Any]] = {
        "jsonio.loads body": lambda: jsonio.loads(body_text),
        "Headers + Request": lambda: Request(
            "POST", "/v1/chat/completions", REQUEST_HEADERS, REQUEST_BODY, "", "203.0.113.9"
        ),
        "request_id + log line": log_line,
        "gateway_options": lambda: gateway_options(gateway, request, metadata),
        "json.dumps inputs": lambda: json.dumps(inputs, ensure_ascii=False, allow_nan=False),
        "sse.encode chunk": lambda: sse.encode(CHUNK),
    }
    try:
        from airelay.core import auth
    except ImportError:  # auth imports PyJWT, which a bare Pyodide lacks
        return found
    access = auth.AccessPolicy(auth.parse_keys("sk-relay-0123456789 sk-relay-9876543210"))
    # The request's key is the first; every key is compared all the same.
    found["auth key compare"] = lambda: finished(auth.identify(request, access, None))
    return found


def measure(n: int, rounds: int = 4) -> dict[str, list[float]]:
    """Return microseconds per call of each step, one figure per round."""
    found = steps()
    times: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(rounds):
        for name, step in found.items():
            start = time.perf_counter()
            for _ in range(n):
                step()
            times[name].append((time.perf_counter() - start) / n * 1e6)
    return times
