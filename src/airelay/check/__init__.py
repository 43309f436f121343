"""`airelay check URL`: a conformance pass against a running relay (the Worker or `airelay dev`).

A client tool: it speaks to the relay over HTTP only, with httpx, and parses every answer with
the official `openai` SDK's types. Both come from the `check` extra, never from what the Worker
vendors.
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = "airelay check needs httpx and openai: pip install 'airelay[check]'"
_REQUIRED = ("httpx", "openai")


def missing_dependencies() -> list[str]:
    """Return the `check` extra's packages that are not installed."""
    return [name for name in _REQUIRED if importlib.util.find_spec(name) is None]
