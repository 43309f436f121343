"""The Worker glue: the one module that touches `js`, `pyodide` and `workers`.

JS Request -> core Request, `env.AI` -> core Backend, core Response -> `workers.Response`.
It must not import pydantic: it is tested on its own in real Pyodide, which has no pydantic
wheel offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import js
from pyodide.ffi import JsException, JsProxy, to_js
from workers import Response as WorkersResponse

from airelay.errors import BackendError, RelayError, upstream_error
from airelay.types import (
    BackendResult,
    Handler,
    JsonResult,
    Platform,
    Request,
    Response,
    StreamResult,
)

# Upstream failures reach Python as JS errors whose message is "<status>: <description>"
# (InferenceUpstreamError); other binding errors carry no status.
_STATUS_MESSAGE = re.compile(r"^\s*(\d{3})\s*:\s*(.*)$", re.DOTALL)
_TIMEOUT_NAMES = ("TimeoutError", "AbortError")


async def serve(request: Any, env: Any, handle: Handler) -> WorkersResponse:
    """Answer one Worker fetch: convert the request, run the core, convert the response."""
    raw_env = unwrap(env)
    platform = Platform(backend=AiBinding(raw_env.AI), env=EnvVars(raw_env))
    try:
        core_request = await to_core_request(request)
    except JsException as exc:
        error = RelayError(400, f"The request body could not be read: {exc}", code="bad_body")
        return to_workers_response(error.to_response())
    return to_workers_response(await handle(core_request, platform))


def unwrap(obj: Any) -> Any:
    """Return the raw JS object behind a workers-runtime-sdk wrapper (Request, env, binding)."""
    for attr in ("js_object", "_binding", "_env"):
        inner = getattr(obj, attr, None)
        if inner is not None:
            return inner
    return obj


def to_js_object(value: Any) -> Any:
    """Convert Python data to plain JS objects and arrays, dropping keys whose value is None."""
    return to_js(_drop_none(value), dict_converter=js.Object.fromEntries)


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        # Tuples would become JS arrays too, but only lists are JSON; normalise explicitly.
        return [_drop_none(v) for v in value]
    return value


async def to_core_request(request: Any) -> Request:
    """Read a JS (or workers.Request) request into a core Request, body and all."""
    raw = unwrap(request)
    url = js.URL.new(raw.url)
    pairs = js.Array.from_(raw.headers.entries()).to_py()
    headers = tuple((str(name).lower(), str(value)) for name, value in pairs)
    body = b"" if raw.body is None else (await raw.arrayBuffer()).to_bytes()
    query = str(url.search)[1:]
    return Request(
        method=str(raw.method).upper(),
        path=str(url.pathname),
        headers=headers,
        body=body,
        query=query,
        client=raw.headers.get("cf-connecting-ip"),
    )


def to_workers_response(response: Response) -> WorkersResponse:
    """Build a workers.Response; a stream body is handed over as the very same JS object."""
    headers = js.Headers.new()
    for name, value in response.headers:
        headers.append(name, value)
    body: Any = response.stream if response.stream is not None else response.body
    if response.status in (204, 304):
        # 204/304 must not carry a body per the Fetch spec.
        body = None
    return WorkersResponse(body, status=response.status, headers=headers)


class EnvVars(Mapping[str, str]):
    """The Worker's `env` vars and secrets as strings; bindings and objects become JSON."""

    def __init__(self, env: Any) -> None:
        self._env = unwrap(env)

    def __getitem__(self, name: str) -> str:
        try:
            value = getattr(self._env, name)
        except AttributeError:
            raise KeyError(name) from None
        if value is None or (isinstance(value, JsProxy) and value.typeof == "undefined"):
            raise KeyError(name)
        if isinstance(value, str):
            return value
        if isinstance(value, JsProxy):
            return str(js.JSON.stringify(value))
        return json.dumps(value)

    def __iter__(self) -> Iterator[str]:
        return iter(str(key) for key in js.Object.keys(self._env))

    def __len__(self) -> int:
        return int(js.Object.keys(self._env).length)


class AiBinding:
    """The Workers AI binding as a core Backend."""

    def __init__(self, binding: Any) -> None:
        self._ai = unwrap(binding)

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Call `env.AI.run` with plain JS objects; return JSON data or the untouched stream."""
        try:
            result = await self._ai.run(model, to_js_object(inputs), to_js_object(options))
        except JsException as exc:
            raise binding_error(exc) from exc
        log_id = self.gateway_log_id()
        if is_readable_stream(result):
            return StreamResult(result, log_id)
        if isinstance(result, JsProxy):
            result = result.to_py()
        return JsonResult(result, log_id)

    def gateway_log_id(self) -> str | None:
        """Return the AI Gateway log id of the last call, if the binding has one."""
        log_id = getattr(self._ai, "aiGatewayLogId", None)
        return log_id if isinstance(log_id, str) and log_id else None


def is_readable_stream(value: Any) -> bool:
    """Tell whether `value` is a JS ReadableStream."""
    return isinstance(value, JsProxy) and bool(js.ReadableStream.prototype.isPrototypeOf(value))


def binding_error(exc: JsException) -> BackendError:
    """Map an error thrown by `env.AI.run` to the relay's OpenAI-shaped answer."""
    name = str(getattr(exc, "name", "") or "")
    message = str(getattr(exc, "message", "") or exc)
    if name in _TIMEOUT_NAMES or "timeout" in message.lower() or "timed out" in message.lower():
        return upstream_error(504, message)
    match = _STATUS_MESSAGE.match(message)
    if match:
        return upstream_error(int(match.group(1)), match.group(2).strip())
    return BackendError(
        502,
        f"The Workers AI binding failed: {name + ': ' if name else ''}{message}",
        type="api_error",
        code="upstream_error",
    )
