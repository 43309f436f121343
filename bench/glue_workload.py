"""The Worker glue's per-request work, timed; runs unchanged in Pyodide and in CPython.

`bench/glue_pyodide.py` sends this file's text to real Pyodide (runner.mjs) and imports it in
CPython over pure-Python stand-ins for `js`, `pyodide` and `workers` (bench/fake_runtime.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

MODEL = "openai/gpt-5.4-mini"
REQUEST_BODY = json.dumps(
    {
        "model": "gpt-5.4-mini",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Name three prime numbers, and say why 1 is not one."},
        ],
        "temperature": 0.2,
        "max_completion_tokens": 256,
    }
).encode()
# As the SDKs send it: with a content-length, so the glue reads the body in one go.
REQUEST_HEADERS = [
    ("content-type", "application/json"),
    ("content-length", str(len(REQUEST_BODY))),
    ("authorization", "Bearer sk-relay-0123456789"),
    ("accept", "application/json"),
    ("user-agent", "OpenAI/Python 3.54.0"),
    ("cf-connecting-ip", "203.0.113.9"),
    ("x-stainless-lang", "python"),
]
INPUTS: dict[str, Any] = {k: v for k, v in json.loads(REQUEST_BODY).items() if k != "model"}
OPTIONS: dict[str, Any] = {"gateway": {"id": "default", "cacheTtl": 3600, "collectLog": True}}
ANSWER: dict[str, Any] = {
    "id": "chatcmpl-0123456789",
    "object": "chat.completion",
    "created": 1795430400,
    "model": MODEL,
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "2, 3 and 5. 1 has only one divisor, and a prime needs exactly two.",
                "refusal": None,
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 31, "completion_tokens": 21, "total_tokens": 52},
    "service_tier": "default",
}
ANSWER_BYTES = json.dumps(ANSWER, separators=(",", ":")).encode()
# The variables core/settings.py reads (its _NAMES; tests/test_bench_smoke.py keeps them equal):
# Pyodide has no pydantic to import them from.
SETTINGS_VARIABLES = (
    "AI_GATEWAY_ID",
    "AI_GATEWAY_SKIP_CACHE",
    "AI_GATEWAY_CACHE_TTL",
    "AI_GATEWAY_COLLECT_LOG",
    "AI_GATEWAY_REQUEST_TIMEOUT_MS",
    "AI_GATEWAY_MAX_ATTEMPTS",
    "AI_GATEWAY_RETRY_DELAY_MS",
    "AI_GATEWAY_BACKOFF",
    "API_KEYS",
    "ALLOW_ANONYMOUS",
    "CORS_ALLOW_ORIGINS",
    "MAX_BODY_BYTES",
    "MAX_OUTPUT_TOKENS",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_PERIOD",
    "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY",
    "AI_GATEWAY_MAX_CALLER_CACHE_TTL",
    "LOG_PROMPTS",
    "TOKEN_SECRETS",
    "TOKEN_JWKS_URL",
    "TOKEN_ISSUER",
    "TOKEN_AUDIENCE",
    "TOKEN_MAX_TTL",
    "TOKEN_SUBJECT",
    "ALLOWED_TOOLS",
)


async def measure(
    make_request: Callable[[], Any], env: Any, n: int, rounds: int = 4
) -> dict[str, list[float]]:
    """Return microseconds per call of serve() and of each glue step, one figure per round."""
    from airelay.core.types import JsonResult, Platform, Request, Response
    from airelay.hosts.worker import AiBinding, serve, to_core_request, to_workers_response

    async def handle(request: Request, platform: Platform) -> Response:
        # Core work is left out; what the core asks of the glue stays: the env's vars (each
        # name looked up to key the settings cache, as core/settings.py load_settings does),
        # the body (the glue's reader), one backend call.
        settings_key = tuple(map(platform.env.get, SETTINGS_VARIABLES))
        assert settings_key[0] == "default"
        await request.read_body(1 << 20)
        result = await platform.backend.run(MODEL, INPUTS, OPTIONS)
        assert isinstance(result, JsonResult)
        return Response(200, [("content-type", "application/json")], ANSWER_BYTES)

    async def serve_one(request: Any) -> None:
        await serve(request, env, handle)

    async def run_ai(_: object) -> None:
        await binding.run(MODEL, INPUTS, OPTIONS)

    async def build_response(_: object) -> None:
        to_workers_response(Response(200, [("content-type", "application/json")], ANSWER_BYTES))

    binding = AiBinding(env.AI)
    steps: dict[str, tuple[Callable[[Any], Any], Callable[[], Any]]] = {
        "serve": (serve_one, make_request),
        "to_core_request": (to_core_request, make_request),
        "AiBinding.run": (run_ai, lambda: None),
        "to_workers_response": (build_response, lambda: None),
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, (step, make_input) in steps.items():
            inputs = [make_input() for _ in range(n)]
            start = time.perf_counter()
            for item in inputs:
                await step(item)
            times[name].append((time.perf_counter() - start) / n * 1e6)
    return times
