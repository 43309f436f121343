"""What the glue tests send to Pyodide: snippets run after one prelude of imports.

Tier 2 runs the Worker glue (`airelay.hosts.worker`, `src/entry.py`) in real Pyodide under Node
(314.0.7, Python 3.14, and 0.28.3, Python 3.13: every test runs on both), with the real
workers-runtime-sdk wheel and JS stand-ins for `env.AI` and `env.RATE_LIMITER` that behave
like workerd's (tests/pyodide/stand_ins.mjs). Each test sends a snippet to the session's
Pyodide (see conftest.py); the snippet's last expression comes back as JSON. The snippets'
helpers (FakeCore, make_request, response_json, calls) are in harness.py.
"""

from __future__ import annotations

import textwrap
from typing import Any

from tests.pyodide.runner_client import PyodideRunner

PRELUDE = """
import json
import js
import stand_ins
from pyodide.ffi import JsProxy
from harness import FakeCore, b64, calls, make_request, request_json, response_json
from airelay.core.types import JsonResult, Response, StreamResult
from airelay.hosts.worker import serve
from airelay.hosts.worker.binding import AiBinding
from airelay.hosts.worker.bridge import is_js, json_to_js, unwrap
from airelay.hosts.worker.env import EnvVars, platform_of
from airelay.hosts.worker.request import split_url, to_core_request
from airelay.hosts.worker.response import to_workers_response
"""

SSE_TEXT = (
    'data: {"choices":[{"delta":{"content":"Grüße — 世界 👋"}}]}\n\n'
    'data: {"choices":[],"usage":{"total_tokens":7}}\n\n'
    "data: [DONE]\n\n"
)


def run(pyodide: PyodideRunner, code: str) -> Any:
    """Run `code` after the common imports."""
    return pyodide.run(PRELUDE + textwrap.dedent(code))
