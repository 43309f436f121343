"""The code interpreter's call: code that prints the user's words, with its code events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airelay.backends.local.hosted.common import HostedAnswer, Step, _said, _streamed, ident


def code_interpreter(
    tool: Mapping[str, Any], last_user: str, seed: str, include: Sequence[str] = ()
) -> HostedAnswer:
    """Return a code_interpreter_call that prints the user's words, with its code events."""
    said = _said(last_user)
    code = f"print({said!r})"
    logs = f"{said}\n"
    item_id = ident(seed, "ci")
    container = tool.get("container")
    container_id = container if isinstance(container, str) else ident(seed, "cntr")
    base = {"id": item_id, "container_id": container_id, "type": "code_interpreter_call"}
    where = {"item_id": item_id}
    # OpenAI returns `outputs` only when `include` asks for code_interpreter_call.outputs.
    outputs = (
        [{"type": "logs", "logs": logs}] if "code_interpreter_call.outputs" in include else None
    )
    step = Step(
        added={**base, "code": "", "outputs": None, "status": "in_progress"},
        done={**base, "code": code, "outputs": outputs, "status": "completed"},
        events=(
            {"type": "response.code_interpreter_call.in_progress", **where},
            *_streamed("response.code_interpreter_call_code", where, "code", code),
            {"type": "response.code_interpreter_call.interpreting", **where},
            {"type": "response.code_interpreter_call.completed", **where},
        ),
    )
    return HostedAnswer((step,), logs.strip())
