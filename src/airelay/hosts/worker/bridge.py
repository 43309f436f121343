"""Cross the JS boundary: the JS functions the glue calls, JsProxy checks, JSON handed to JS."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import js
from pyodide.ffi import JsProxy, jsnull

from airelay.core import jsonio


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
    # Each `js.X.y` lookup is a JS crossing, so they are kept (0.1 us against 2.6 to 2.7 for
    # `js.JSON.parse`: bench/glue_pyodide.py, "JS functions looked up once"); but on first
    # use, not at import: workerd snapshots the module's globals after import, and its
    # serialiser takes only some JS values (cloudflare/workerd src/pyodide/internal/snapshot.ts,
    # getHiwireSerializer).
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
    # per type is asked once: 0.3 us against 1.4 to 1.8 (bench/glue_pyodide.py, "JsProxy check
    # cached per type").
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


# NaN and infinities raise ValueError: JSON has no such numbers. One C encoder built once, where
# json.dumps with options builds one per call: 6.5 to 12 us for the bench's inputs against 12
# to 24 (bench/glue_pyodide.py, "JSON encoder built once").
_encode_json = jsonio.encoder(default=_not_json, allow_nan=False)


def json_to_js(value: Any) -> Any:
    """Hand JSON data to JS exactly as JSON: nulls kept, big integers as JS numbers."""
    # A caller's body must reach the binding as sent: to_js would need None dropped (it makes
    # `undefined`) and turns integers past 2**53 into BigInts, which JSON.stringify refuses.
    return _js().json_parse(_encode_json(value))


def _is_missing(value: Any) -> bool:
    # Pyodide 0.28 turns JS null into `jsnull`, not None; undefined is None.
    return value is None or value is jsnull
