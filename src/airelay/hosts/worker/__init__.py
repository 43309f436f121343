"""The Worker glue: the one package that touches `js`, `pyodide` and `workers`.

JS Request -> core Request (request), `env` -> core Platform (env, binding, webcrypto), core
Response -> JS Response (response); `bridge` holds the crossings they share, `answers` reads
what the binding answers. It must not import pydantic: it is tested on its own in real
Pyodide, which has no pydantic wheel offline.
"""

from __future__ import annotations

from typing import Any

from pyodide.ffi import JsProxy

from airelay.core.types import Handler
from airelay.hosts.worker.env import platform_of
from airelay.hosts.worker.request import to_core_request
from airelay.hosts.worker.response import to_workers_response

__all__ = ["serve"]


async def serve(request: Any, env: Any, handle: Handler) -> JsProxy:
    """Answer one Worker fetch: convert the request, run the core, convert the response."""
    platform = platform_of(env)
    return to_workers_response(await handle(await to_core_request(request), platform))
