"""The Worker glue: the one module that touches `js`, `pyodide` and `workers`.

JS Request -> core Request, `env.AI` -> core Backend, core Response -> JS Response.
It must not import pydantic: it is tested on its own in real Pyodide, which has no pydantic
wheel offline.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import js
from pyodide.ffi import JsException, JsProxy, jsnull, to_js

from airelay.core import jsonio
from airelay.core.errors import BackendError, misconfigured
from airelay.core.headers import CACHE_STATUS, LOG_ID, RETRY_AFTER
from airelay.core.jwks import MAX_JWKS_BYTES
from airelay.core.types import (
    BackendResult,
    BodyError,
    Handler,
    Headers,
    JsonResult,
    KeysUnavailableError,
    Platform,
    Request,
    Response,
    StreamResult,
    parse_byte_count,
)
from airelay.core.upstream import (
    MAX_ERROR_BODY_BYTES,
    answer_kind,
    coded_error,
    error_text,
    gateway_value,
    json_answer,
    malformed,
    unreadable,
    upstream_error,
    upstream_failure,
)

# Upstream failures reach Python as JS errors whose message is "<status>: <description>"
# (InferenceUpstreamError); other binding errors carry no status.
_STATUS_MESSAGE = re.compile(r"^\s*(\d{3,4})\s*:\s*(.*)$", re.DOTALL)
_TIMEOUT_NAMES = ("TimeoutError", "AbortError")

logger = logging.getLogger("airelay")


class _JsFunctions(NamedTuple):
    array_from: Any
    json_parse: Any
    is_response: Any
    object_entries: Any
    is_array: Any
    prototype_of: Any
    object_prototype: Any
    reflect_apply: Any


@functools.cache
def _js() -> _JsFunctions:
    """Return the JS functions the glue calls per request, looked up once."""
    # Each `js.X.y` lookup is a JS crossing, so they are kept; but on first use, not at import:
    # workerd snapshots the module's globals after import, and its serialiser takes only some
    # JS values (cloudflare/workerd src/pyodide/internal/snapshot.ts, getHiwireSerializer).
    # A Response made through a subclass or a Proxy of the class has the same prototype.
    return _JsFunctions(
        js.Array.from_,
        js.JSON.parse,
        js.Response.prototype.isPrototypeOf,
        js.Object.entries,
        js.Array.isArray,
        js.Object.getPrototypeOf,
        js.Object.prototype,
        js.Reflect.apply,
    )


async def serve(request: Any, env: Any, handle: Handler) -> JsProxy:
    """Answer one Worker fetch: convert the request, run the core, convert the response."""
    platform = platform_of(env)
    return to_workers_response(await handle(await to_core_request(request), platform))


# The last env seen and the Platform made of it. Cloudflare passes requests the same env
# object "as long as the environment has not changed", "equal by identity"
# (developers.cloudflare.com/workers/runtime-apis/handlers/fetch/); a changed one is another.
# So one JS identity test (`==` of two JsProxies is JS `===`: pyodide src/core/jsproxy.c,
# JsProxy_RichCompare) stands for reading every variable and binding again. An env seen for
# the first time, as each test's fresh one, is read in full.
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


def is_js(value: Any) -> bool:
    """Tell whether `value` is a JsProxy (a JS object seen from Python)."""
    cls: type = type(value)
    return _is_js_type(cls)


@functools.cache
def _is_js_type(cls: type) -> bool:
    # `isinstance(x, JsProxy)` runs Python code on every call: JsProxy's metaclass answers it
    # from the type's `_js_type_flags` (pyodide _pyodide/_core_docs.py,
    # _JsProxyMetaClass.__subclasscheck__). Pyodide makes one JsProxy subclass per set of
    # flags and reuses it (src/core/jsproxy.c, JsProxy_get_subtype caches them), so the answer
    # per type is asked once.
    return issubclass(cls, JsProxy)


def unwrap(obj: Any) -> Any:
    """Return the raw JS object behind a workers-runtime-sdk wrapper (Request, env, binding)."""
    if is_js(obj):
        return obj
    # Read _EnvWrapper's and _BindingWrapper's own fields: a missing name would go through
    # their __getattr__ to JS, where an RPC stub answers any name with another stub.
    fields = getattr(obj, "__dict__", {})
    for attr in ("_env", "_binding"):
        if attr in fields:
            return fields[attr]
    inner = getattr(obj, "js_object", None)
    return obj if inner is None else inner


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# NaN and infinities raise ValueError: JSON has no such numbers.
_encode_json = jsonio.encoder(default=_not_json, allow_nan=False)


def json_to_js(value: Any) -> Any:
    """Hand JSON data to JS exactly as JSON: nulls kept, big integers as JS numbers."""
    # A caller's body must reach the binding as sent: to_js would need None dropped (it makes
    # `undefined`) and turns integers past 2**53 into BigInts, which JSON.stringify refuses.
    return _js().json_parse(_encode_json(value))


def split_url(url: str) -> tuple[str, str]:
    """Return the path and the query (no "?") of a serialised absolute http(s) URL."""
    # The runtime hands over `request.url` serialised by the WHATWG URL parser, so it is cheaper
    # to split the string here than to build a JS URL (three JS crossings). In that form an
    # http(s) URL's path starts at the first "/" after "//" and is at least "/"; the host cannot
    # hold "/", "?" or "#" (forbidden host code points), userinfo percent-encodes them, the path
    # percent-encodes "?" and "#", and the query percent-encodes "#" (URL Standard: forbidden
    # host code points; the userinfo, path and query percent-encode sets; URL serializer). So
    # the first "?" starts the query and the first "#" the fragment.
    rest = url.partition("://")[2] or url
    slash = rest.find("/")
    rest = rest[slash:] if slash >= 0 else "/"
    rest = rest.partition("#")[0]
    path, _, query = rest.partition("?")
    return path or "/", query


def _is_missing(value: Any) -> bool:
    # Pyodide 0.28 turns JS null into `jsnull`, not None; undefined is None.
    return value is None or value is jsnull


async def to_core_request(request: Any) -> Request:
    """Wrap a JS (or workers.Request) request as a core Request; the core reads the body."""
    raw = unwrap(request)
    path, query = split_url(str(raw.url))
    # A Headers object iterates as [name, value] pairs, names lower-cased, repeats joined
    # (Fetch standard, "sort and combine"); one JS call and one conversion bring them all over.
    headers = Headers(_js().array_from(raw.headers).to_py())

    async def read(limit: int) -> bytes:
        try:
            if parse_byte_count(headers.get("content-length")) is not None:
                # The core has checked the declared length against its limit already; a
                # declared length needs no look at `body` (a JS crossing): a null body reads
                # as an empty ArrayBuffer (Fetch, "consume body").
                return bytes((await raw.arrayBuffer()).to_bytes())
            stream = raw.body
            if _is_missing(stream):
                return b""
            return await _read_at_most(stream, limit + 1)
        except JsException as exc:
            raise BodyError(str(exc)) from exc

    return Request(
        method=str(raw.method).upper(),
        path=path,
        headers=headers,
        query=query,
        client=headers.get("cf-connecting-ip"),
        reader=read,
    )


async def _read_at_most(stream: Any, limit: int) -> bytes:
    """Read a body of unknown length, stopping once it passes `limit` bytes."""
    # Chunked uploads declare no length; reading them whole could exhaust the isolate's
    # memory before the core's 413, so the read stops as soon as the limit is passed.
    reader = stream.getReader()
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await reader.read()
        if chunk.done:
            return b"".join(chunks)
        chunks.append(chunk.value.to_bytes())
        size += len(chunks[-1])
    await reader.cancel()
    return b"".join(chunks)


def to_workers_response(response: Response) -> JsProxy:
    """Build the JS Response; a stream body is handed over as the very same JS object."""
    # The JS Response itself, not a workers.Response: workerd passes what `fetch` returns
    # through the SDK's python_to_rpc, which hands a JsProxy over as its JS object and
    # unwraps a workers.Response to that same object through `.js_object` (workerd
    # src/pyodide/internal/introspection.py wrapper_func; workers-runtime-sdk 1.9.5
    # workers/rpc.py python_to_rpc), so the wrapper would be built only to be taken apart.
    body: Any
    if response.status in (204, 304):
        body = None  # 204/304 must not carry a body per the Fetch spec.
    elif response.stream is not None:
        body = response.stream
    else:
        body = _body_to_js(response)
    # Status and headers cross as one JSON text: one JS call instead of a Headers object
    # plus one `append` crossing per header. A list of pairs keeps repeated names.
    init = json_to_js({"status": response.status, "headers": response.headers})
    js_response: JsProxy = js.Response.new(body, init)
    return js_response


def _body_to_js(response: Response) -> Any:
    body = response.body
    # A str body crosses as one JS string, cheaper than a Uint8Array copy, and the Response
    # encodes it back to the same UTF-8 bytes. Only with a content-type of the core's own:
    # a string body without one gets `text/plain;charset=UTF-8` (Fetch, "extract a body").
    if body and response.header("content-type") is not None:
        try:
            return body.decode()
        except UnicodeDecodeError:
            pass
    return to_js(body)


class EnvVars(Mapping[str, str]):
    """The Worker's `env` vars and secrets as strings (JSON for [vars] objects); no bindings."""

    def __init__(self, env: Any) -> None:
        self._env = unwrap(env)
        self._vars: dict[str, str] | None = None

    def _read(self) -> dict[str, str]:
        # Read once (serve keeps one EnvVars per env object: see platform_of), all entries in
        # one crossing: every lookup on `env` is a call across the JS boundary. depth=2
        # converts the array and its [key, value] pairs; the values stay JS objects unless
        # primitive (Pyodide's to_py `depth`).
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
    # spares Mapping.get's KeyError per missing name, and a Python frame per name.
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
        # by Reflect.apply: one parse, no crossing per argument.
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


def binding_error(exc: JsException) -> BackendError:
    """Map an error thrown by `env.AI.run` to the relay's OpenAI-shaped answer."""
    name = str(getattr(exc, "name", "") or "")
    message = str(getattr(exc, "message", "") or exc)
    # With returnRawResponse the binding answers upstream errors as a Response; what it still
    # throws (AiInternalError, a failed subrequest) may carry "<code>: <description>" all the
    # same. The code decides first: "400: ... timeout ..." is a rejected request, not a timeout.
    match = _STATUS_MESSAGE.match(message)
    error = coded_error(int(match.group(1)), match.group(2).strip()) if match else None
    if error is not None:
        return error
    if name in _TIMEOUT_NAMES or "timeout" in message.lower() or "timed out" in message.lower():
        return upstream_error(504, message)
    return BackendError(
        502,
        f"The Workers AI binding failed: {name + ': ' if name else ''}{message}",
        type="api_error",
        code="upstream_error",
    )


# Why the glue reads the upstream Response itself: workerd's Ai.run stores `aiGatewayLogId`,
# `lastRequestId` and the last status on the one binding object that every request of the
# isolate shares, after awaiting the upstream (and, for JSON, before awaiting its body), so
# those fields can already hold another request's values; it also reads `returnRawResponse`
# back from a shared `#options` field after that await, so every call must pass it. Without
# it, only a content-type of exactly `application/json` is parsed and a non-2xx throws with
# its HTTP status lost (cloudflare/workerd src/cloudflare/internal/ai-api.ts, Ai.run and
# _parseError). Cloudflare's own libraries call the binding this way too (cloudflare/ai:
# packages/workers-ai-provider/src/gateway-delegate.ts makeRunFetch, and
# packages/tanstack-ai/src/utils/create-fetcher.ts createWorkersAiBindingFetch, which treat
# the body as a stream only when the content-type contains `text/event-stream`).


async def read_raw_response(raw: Any) -> BackendResult:
    """Turn the binding's raw upstream Response into a result, or raise the relay's answer."""
    if not is_response(raw):
        raise malformed("The Workers AI binding did not return the upstream response.")
    get = raw.headers.get  # bound once: each attribute read is a JS crossing
    status = int(raw.status)
    log_id = _gateway_header(get, LOG_ID)
    cache_status = _gateway_header(get, CACHE_STATUS)
    if not 200 <= status <= 299:
        body = await _error_text(raw)
        error = upstream_failure(status, body, _header(get, RETRY_AFTER))
        raise _with_log_id(error, log_id)
    content_type = _header(get, "content-type") or ""
    kind = answer_kind(content_type)
    if kind == "stream" and not _is_missing(raw.body):
        # The very stream object goes on: Python never touches a chunk.
        return StreamResult(raw.body, log_id, cache_status)
    if kind == "json":
        try:
            text = str(await raw.text())
            data = json_answer(text)
        except JsException as exc:
            raise _with_log_id(binding_error(exc), log_id) from exc
        except BackendError as failure:
            raise _with_log_id(failure, log_id) from None
        # The answer goes on as read: the core sends these bytes instead of encoding `data`
        # again. They are the upstream's bytes whenever those are UTF-8 without a BOM; else
        # what `text()` decoded (Fetch's UTF-8 decode), which is also what `data` holds.
        return JsonResult(data, log_id, cache_status, body=text.encode())
    await _discard(raw)
    raise _with_log_id(unreadable(status, content_type), log_id)


def is_response(value: Any) -> bool:
    """Tell whether `value` is a JS Response."""
    return is_js(value) and bool(_js().is_response(value))


def _header(get: Any, name: str) -> str | None:
    value = get(name)
    return value if isinstance(value, str) else None  # JS null may arrive as `jsnull`


def _gateway_header(get: Any, name: str) -> str | None:
    return gateway_value(_header(get, name))


async def _error_text(raw: Any) -> str:
    if _is_missing(raw.body):
        return ""
    try:
        data = await _read_at_most(raw.body, MAX_ERROR_BODY_BYTES)
    except JsException:
        return ""  # the status still says what happened
    return error_text(data)


async def _discard(raw: Any) -> None:
    # An unread body holds the upstream subrequest open until the isolate drops it.
    if _is_missing(raw.body):
        return
    with contextlib.suppress(JsException):
        await raw.body.cancel()


def _with_log_id(error: BackendError, log_id: str | None) -> BackendError:
    # AI Gateway logs failed calls too: the id lets the caller and the operator find that log.
    if log_id is not None:
        error.log_id = log_id
    return error


# WebCrypto's parameters per JWS algorithm (RFC 7518 section 3, RFC 8037 section 3.1): how to
# import the public JWK, and how to verify. ES256 signatures are r || s, as WebCrypto expects.
_WEBCRYPTO = {
    "RS256": (
        {"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"},
        {"name": "RSASSA-PKCS1-v1_5"},
    ),
    "ES256": ({"name": "ECDSA", "namedCurve": "P-256"}, {"name": "ECDSA", "hash": "SHA-256"}),
    "EdDSA": ({"name": "Ed25519"}, {"name": "Ed25519"}),
}


class WorkerTokenKeys:
    """The core's TokenKeys on the Worker: the runtime's `fetch` and WebCrypto."""

    def __init__(self, fetch: Any = None, subtle: Any = None) -> None:
        # Injectable so that the Pyodide tier can hand in JS stand-ins.
        self._fetch = fetch
        self._subtle = subtle

    async def fetch_jwks(self, url: str) -> bytes:
        """GET the JWKS through the Worker's `fetch`; raise KeysUnavailableError on failure."""
        fetch = self._fetch if self._fetch is not None else js.fetch
        init = json_to_js({"method": "GET", "headers": {"accept": "application/json"}})
        try:
            response = await fetch(url, init)
            if not response.ok:
                raise KeysUnavailableError(f"HTTP {int(response.status)}")
            body = bytes((await response.arrayBuffer()).to_bytes())
        except JsException as exc:
            raise KeysUnavailableError(str(getattr(exc, "name", "") or "fetch failed")) from None
        if len(body) > MAX_JWKS_BYTES:
            raise KeysUnavailableError(f"the key set is larger than {MAX_JWKS_BYTES} bytes")
        return body

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Verify with `crypto.subtle`; a key WebCrypto refuses verifies nothing."""
        params = _WEBCRYPTO.get(alg)
        if params is None:
            return False
        subtle = self._subtle if self._subtle is not None else js.crypto.subtle
        import_params, verify_params = params
        try:
            key = await subtle.importKey(
                "jwk",
                json_to_js(dict(jwk)),
                json_to_js(import_params),
                False,
                json_to_js(["verify"]),
            )
            verified = await subtle.verify(
                json_to_js(verify_params), key, to_js(signature), to_js(signing_input)
            )
        except JsException:
            return False
        return bool(verified)
