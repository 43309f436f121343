"""Pure-Python stand-ins for `js`, `pyodide.ffi` and `workers`, just enough for airelay.hosts.worker
to run in CPython for the benchmark's comparison. They do the Python-side work only: no FFI."""

from __future__ import annotations

import json
import sys
import types
from typing import Any


class JsProxy:
    """Base of every fake JS object, as Pyodide's JsProxy is of real ones."""


class JsException(Exception):  # noqa: N818 - Pyodide's name
    """A JS error seen from Python."""


class _Null:
    def __repr__(self) -> str:
        return "jsnull"


jsnull = _Null()


def to_js(value: Any, dict_converter: Any = None) -> Any:
    """Return the data itself: a Python dict stands for the plain JS object."""
    return value


class JsData(JsProxy):
    """Parsed JSON held on the JS side."""

    def __init__(self, data: Any) -> None:
        self.data = data


class ArrayBuffer(JsProxy):
    def __init__(self, data: bytes) -> None:
        self._data = data

    def to_bytes(self) -> bytes:
        return self._data


class Headers(JsProxy):
    def __init__(self, pairs: list[tuple[str, str]] | None = None) -> None:
        self._pairs = list(pairs or [])

    @classmethod
    def new(cls) -> Headers:
        return cls()

    def append(self, name: str, value: str) -> None:
        self._pairs.append((name.lower(), value))

    def entries(self) -> list[tuple[str, str]]:
        return sorted(self._pairs)

    def __iter__(self) -> Any:
        return iter(self.entries())

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        values = [value for key, value in self._pairs if key == wanted]
        return ", ".join(values) if values else None


class FakeRequest(JsProxy):
    """A JS Request: url, method, headers, a one-shot body."""

    def __init__(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.method, self.url, self.headers, self.body = method, url, Headers(headers), body

    async def arrayBuffer(self) -> ArrayBuffer:  # noqa: N802 - the JS name
        return ArrayBuffer(self.body)


class Ai(JsProxy):
    """The AI binding called with `returnRawResponse`: every call gets the same JSON Response."""

    def __init__(self, answer: Any) -> None:
        self._text = json.dumps(answer, separators=(",", ":"))
        self.aiGatewayLogId: str | None = None

    async def run(self, model: str, inputs: Any, options: Any) -> JsResponse:
        headers = Headers([("content-type", "application/json"), ("cf-aig-log-id", "log-1")])
        return JsResponse(_TextBody(self._text), {"status": 200, "headers": headers})


class _TextBody(JsProxy):
    """A response body that is read whole, as `Response.text()` does."""

    def __init__(self, text: str) -> None:
        self.text = text


class Env(JsProxy):
    def __init__(self, **bindings: Any) -> None:
        self.__dict__.update(bindings)


class _Items:
    def __init__(self, items: Any) -> None:
        self._items = list(items)

    def to_py(self, depth: int = -1) -> list[Any]:
        return [list(item) for item in self._items]


class _Function:
    """A JS function that takes `this`: `run(this, args)` calls it as JS would."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def run(self, this: Any, args: Any) -> Any:
        return self._body(this, *args)

    def __call__(self, *args: Any) -> Any:
        return self.run(None, args)


class _Bound(_Function):
    """What `Function.prototype.bind` makes."""

    def __init__(self, target: Any, this: Any, bound: tuple[Any, ...]) -> None:
        super().__init__(None)
        self._target, self._this, self._bound = target, this, bound

    def run(self, this: Any, args: Any) -> Any:
        return _run(self._target, self._this, (*self._bound, *args))


class _Proxy(_Function):
    """A Python function made callable from JS (create_proxy)."""

    def __init__(self, function: Any, capture_this: bool) -> None:
        super().__init__(None)
        self._function, self._capture_this = function, capture_this

    def run(self, this: Any, args: Any) -> Any:
        return self._function(this, *args) if self._capture_this else self._function(*args)


def _run(function: Any, this: Any, args: Any) -> Any:
    if isinstance(function, _Function):
        return function.run(this, args)
    return function(*args)  # a Python callable: a method of a stand-in, `this` already bound


async def _then(promise: Any, on_fulfilled: Any = None, *_: Any) -> Any:
    value = await promise
    if on_fulfilled is None:
        return value
    result = _run(on_fulfilled, None, (value,))
    return await result if hasattr(result, "__await__") else result


def _array_from(items: Any, map_function: Any = None, this: Any = None) -> Any:
    if map_function is None:
        return _Items(items)
    return [_run(map_function, this, (item, index)) for index, item in enumerate(items)]


def _stringify(value: Any) -> str | None:
    data = value.data if isinstance(value, JsData) else value
    return None if data is None else json.dumps(data, separators=(",", ":"))


_OBJECT_PROTOTYPE = object()


def _ns(**attrs: Any) -> types.SimpleNamespace:
    return types.SimpleNamespace(**attrs)


class JsResponse(JsProxy):
    """A JS Response: keeps its body and init."""

    def __init__(self, body: Any, init: dict[str, Any]) -> None:
        headers = init["headers"]
        if not isinstance(headers, Headers):
            headers = Headers([(name, value) for name, value in headers])
        self.body, self.status, self.headers = body, init["status"], headers

    @classmethod
    def new(cls, body: Any, init: dict[str, Any]) -> JsResponse:
        return cls(body, init)

    async def text(self) -> str:
        return str(self.body.text)


JsResponse.prototype = types.SimpleNamespace(  # type: ignore[attr-defined]
    isPrototypeOf=lambda value: isinstance(value, JsResponse),
    text=_Function(lambda this, *_: this.text()),
)


class WorkersResponse:
    """workers.Response wrapping a JS Response."""

    def __init__(self, js_response: JsResponse) -> None:
        self.js_object = js_response


def install() -> None:
    """Register the stand-ins as `js`, `pyodide`, `pyodide.ffi` and `workers`."""
    js = types.ModuleType("js")
    js.Array = _ns(  # type: ignore[attr-defined]
        from_=_array_from, of=lambda *items: list(items), isArray=lambda v: isinstance(v, list)
    )
    js.Function = _ns(  # type: ignore[attr-defined]
        prototype=_ns(
            call=_Function(lambda this, that, *args: _run(this, that, args)),
            apply=_Function(lambda this, that, args=(), *_: _run(this, that, tuple(args))),
            bind=_Function(lambda this, that, *bound: _Bound(this, that, bound)),
        )
    )
    js.Promise = _ns(prototype=_ns(then=_Function(_then)))  # type: ignore[attr-defined]
    js.Headers = Headers  # type: ignore[attr-defined]
    js.Response = JsResponse  # type: ignore[attr-defined]
    # A Python dict stands for a plain JS object, so JSON.parse is json.loads here.
    js.JSON = _ns(stringify=_stringify, parse=json.loads)  # type: ignore[attr-defined]
    js.Object = _ns(  # type: ignore[attr-defined]
        fromEntries=dict,
        keys=lambda obj: [k for k in vars(obj) if not k.startswith("_")],
        entries=lambda obj: _Items((k, v) for k, v in vars(obj).items() if not k.startswith("_")),
        getPrototypeOf=lambda obj: _OBJECT_PROTOTYPE if isinstance(obj, dict) else None,
        prototype=_OBJECT_PROTOTYPE,
    )
    js.Reflect = _ns(apply=_run, get=getattr)  # type: ignore[attr-defined]
    js.ReadableStream = _ns(prototype=_ns(isPrototypeOf=lambda value: False))  # type: ignore[attr-defined]
    pyodide = types.ModuleType("pyodide")
    ffi = types.ModuleType("pyodide.ffi")
    ffi.JsException, ffi.JsProxy, ffi.jsnull, ffi.to_js = JsException, JsProxy, jsnull, to_js  # type: ignore[attr-defined]
    ffi.create_proxy = lambda function, capture_this=False: _Proxy(function, capture_this)  # type: ignore[attr-defined]
    pyodide.ffi = ffi  # type: ignore[attr-defined]
    workers = types.ModuleType("workers")
    workers.Response = WorkersResponse  # type: ignore[attr-defined]
    sys.modules.update({"js": js, "pyodide": pyodide, "pyodide.ffi": ffi, "workers": workers})
