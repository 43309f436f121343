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
    isPrototypeOf=lambda value: isinstance(value, JsResponse)
)


class WorkersResponse:
    """workers.Response wrapping a JS Response."""

    def __init__(self, js_response: JsResponse) -> None:
        self.js_object = js_response


def install() -> None:
    """Register the stand-ins as `js`, `pyodide`, `pyodide.ffi` and `workers`."""
    js = types.ModuleType("js")
    js.Array = _ns(from_=_Items, isArray=lambda v: isinstance(v, list))  # type: ignore[attr-defined]
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
    js.Reflect = _ns(apply=lambda function, _this, args: function(*args))  # type: ignore[attr-defined]
    js.ReadableStream = _ns(prototype=_ns(isPrototypeOf=lambda value: False))  # type: ignore[attr-defined]
    pyodide = types.ModuleType("pyodide")
    ffi = types.ModuleType("pyodide.ffi")
    ffi.JsException, ffi.JsProxy, ffi.jsnull, ffi.to_js = JsException, JsProxy, jsnull, to_js  # type: ignore[attr-defined]
    pyodide.ffi = ffi  # type: ignore[attr-defined]
    workers = types.ModuleType("workers")
    workers.Response = WorkersResponse  # type: ignore[attr-defined]
    sys.modules.update({"js": js, "pyodide": pyodide, "pyodide.ffi": ffi, "workers": workers})
