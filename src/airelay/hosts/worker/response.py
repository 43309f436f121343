"""Convert the core's Response to the JS Response the Worker returns."""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import JsProxy, to_js

from airelay.core.types import Response
from airelay.hosts.worker.bridge import json_to_js


def to_workers_response(response: Response) -> JsProxy:
    """Build the JS Response; a stream body is handed over as the very same JS object."""
    # The JS Response itself, not a workers.Response: workerd passes what `fetch` returns
    # through the SDK's python_to_rpc, which hands a JsProxy over as its JS object and
    # unwraps a workers.Response to that same object through `.js_object` (workerd
    # src/pyodide/internal/introspection.py wrapper_func; workers-runtime-sdk 1.9.5
    # workers/rpc.py python_to_rpc), so the wrapper would be built only to be taken apart: 5 to
    # 9.5 us against 15 to 37 with it (bench/glue_pyodide.py, "JS Response returned unwrapped").
    body: Any
    if response.status in (204, 304):
        body = None  # 204/304 must not carry a body per the Fetch spec.
    elif response.stream is not None:
        body = response.stream
    else:
        body = _body_to_js(response)
    # Status and headers cross as one JSON text: one JS call instead of a Headers object
    # plus one `append` crossing per header, 12 to 28 us against 24 to 86 for 4 headers
    # (bench/glue_pyodide.py, "response init as one JSON text"). A list of pairs keeps
    # repeated names.
    init = json_to_js({"status": response.status, "headers": response.headers})
    js_response: JsProxy = js.Response.new(body, init)
    return js_response


def _body_to_js(response: Response) -> Any:
    body = response.body
    # A str body crosses as one JS string instead of a Uint8Array copy, and the Response encodes
    # it back to the same UTF-8 bytes; for the bench's 389-byte answer the saving is within the
    # noise, -5 to +30 us of 12 to 57 (bench/glue_pyodide.py, "response body as a JS string").
    # Only with a content-type of the core's own: a string body without one gets
    # `text/plain;charset=UTF-8` (Fetch, "extract a body").
    if body and response.header("content-type") is not None:
        try:
            return body.decode()
        except UnicodeDecodeError:
            pass
    return to_js(body)
