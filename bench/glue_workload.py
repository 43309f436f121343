"""The Worker glue's per-request work, timed; runs unchanged in Pyodide and in CPython.

`bench/glue_pyodide.py` sends this file's text to real Pyodide (runner.mjs) and imports it in
CPython over pure-Python stand-ins for `js`, `pyodide` and `workers` (bench/fake_runtime.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
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
    from airelay.hosts.worker import serve
    from airelay.hosts.worker.binding import AiBinding
    from airelay.hosts.worker.request import to_core_request
    from airelay.hosts.worker.response import to_workers_response

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


async def measure_tricks(
    make_request: Callable[[], Any], env: Any, n: int
) -> dict[str, list[float]]:
    """Return microseconds per call of each glue speed trick and of the path it replaced.

    Pyodide only: each pair runs against real JS objects, keyed "<trick>: glue" and
    "<trick>: instead". The figures the glue's comments cite come from here.
    """
    import js
    import workers
    from pyodide.ffi import JsProxy, to_js

    from airelay.core.types import Headers
    from airelay.hosts.worker.bridge import _js, is_js, json_to_js, unwrap
    from airelay.hosts.worker.env import EnvVars, platform_of
    from airelay.hosts.worker.request import split_url

    request = make_request()
    url = str(request.url)
    raw_env = unwrap(env)
    ai = raw_env.AI
    functions = _js()
    status_headers = [("content-type", "application/json"), ("x-request-id", "req_0123456789")]
    status_headers += [("access-control-allow-origin", "*"), ("vary", "origin")]
    answer = js.Response.new(ANSWER_BYTES.decode(), json_to_js({"headers": REQUEST_HEADERS}))

    def js_functions_once() -> None:
        functions.json_parse  # noqa: B018 - the lookup is what is timed

    def js_functions_each_time() -> None:
        js.JSON.parse  # noqa: B018

    def is_js_cached() -> None:
        is_js(request)

    def is_js_isinstance() -> None:
        isinstance(request, JsProxy)

    def url_in_python() -> None:
        split_url(url)

    def url_in_js() -> None:
        parsed = js.URL.new(url)
        (str(parsed.pathname), str(parsed.search))

    def headers_at_once() -> None:
        Headers(functions.array_from(request.headers).to_py())

    def headers_per_pair() -> None:
        Headers([(str(name), str(value)) for name, value in request.headers])

    def env_platform_kept() -> None:
        tuple(map(platform_of(env).env.get, SETTINGS_VARIABLES))

    def env_read_per_request() -> None:
        tuple(map(EnvVars(raw_env).get, SETTINGS_VARIABLES))

    def env_read_per_name() -> None:
        tuple(getattr(raw_env, name, None) for name in SETTINGS_VARIABLES)

    # The call's promise is left unawaited: both ways await it alike, and its await (see
    # "JS promise") would drown the difference in the arguments' crossing.
    def binding_one_array() -> None:
        args = json_to_js([MODEL, INPUTS, {**OPTIONS, "returnRawResponse": True}])
        functions.reflect_apply(ai.run, ai, args)

    def binding_per_argument() -> None:
        ai.run(MODEL, json_to_js(INPUTS), json_to_js({**OPTIONS, "returnRawResponse": True}))

    def init_one_json() -> None:
        js.Response.new(None, json_to_js({"status": 200, "headers": status_headers}))

    def init_headers_appended() -> None:
        headers = js.Headers.new()
        for name, value in status_headers:
            headers.append(name, value)
        js.Response.new(
            None, to_js({"status": 200, "headers": headers}, dict_converter=js.Object.fromEntries)
        )

    init = json_to_js({"status": 200, "headers": status_headers})

    def response_unwrapped() -> None:
        js.Response.new(None, init)

    def response_wrapped() -> None:
        workers.Response(js.Response.new(None, init))

    def body_as_string() -> None:
        js.Response.new(ANSWER_BYTES.decode())

    def body_as_bytes() -> None:
        js.Response.new(to_js(ANSWER_BYTES))

    def length_declared() -> None:
        pass

    def body_looked_at() -> None:
        request.body  # noqa: B018

    variables = platform_of(env).env

    def env_get_of_the_dict() -> None:
        tuple(map(variables.get, SETTINGS_VARIABLES))

    def env_get_of_mapping() -> None:
        tuple(Mapping.get(variables, name) for name in SETTINGS_VARIABLES)

    def json_encoder_once() -> None:
        json_to_js(INPUTS)

    def json_dumps_each_time() -> None:
        functions.json_parse(json.dumps(INPUTS, default=str, allow_nan=False))

    def header_get_bound() -> None:
        get = answer.headers.get
        for name in ("cf-aig-log-id", "cf-aig-cache-status", "content-type"):
            get(name)

    def header_get_looked_up() -> None:
        for name in ("cf-aig-log-id", "cf-aig-cache-status", "content-type"):
            answer.headers.get(name)

    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "JS functions looked up once": (js_functions_once, js_functions_each_time),
        "JSON encoder built once": (json_encoder_once, json_dumps_each_time),
        "JsProxy check cached per type": (is_js_cached, is_js_isinstance),
        "URL split in Python": (url_in_python, url_in_js),
        "request headers in one crossing": (headers_at_once, headers_per_pair),
        "declared length: no look at body": (length_declared, body_looked_at),
        "env: Platform kept per env object": (env_platform_kept, env_read_per_request),
        "env: vars in one Object.entries": (env_read_per_request, env_read_per_name),
        "env: get is the dict's own": (env_get_of_the_dict, env_get_of_mapping),
        "binding args as one JSON array": (binding_one_array, binding_per_argument),
        "response init as one JSON text": (init_one_json, init_headers_appended),
        "JS Response returned unwrapped": (response_unwrapped, response_wrapped),
        "response body as a JS string": (body_as_string, body_as_bytes),
        "upstream headers.get bound once": (header_get_bound, header_get_looked_up),
    }
    times: dict[str, list[float]] = {}
    for trick, (glue, instead) in pairs.items():
        # Four blocks, glue-instead-instead-glue, so that neither side always goes first.
        order = (("glue", glue), ("instead", instead), ("instead", instead), ("glue", glue))
        for label, step in order:
            start = time.perf_counter()
            for _ in range(n):
                outcome = step()
                if outcome is not None:
                    await outcome
            times.setdefault(f"{trick}: {label}", []).append(
                (time.perf_counter() - start) / n * 1e6
            )
    return times
