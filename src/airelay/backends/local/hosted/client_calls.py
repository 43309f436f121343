"""The calls the client runs: shell, apply_patch, computer and local_shell."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from airelay.backends.local.hosted.common import HostedAnswer, Item, Step, _said, _streamed, ident


def shell(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return a shell_call echoing the user's words; in a hosted container, also its output."""
    said = _said(last_user)
    command = f"echo {shlex.quote(said)}"
    item_id, call_id = ident(seed, "sh"), ident(seed, "call")
    environment = tool.get("environment") or {"type": "local"}
    hosted = environment.get("type") in ("container_auto", "container_reference")
    shown_environment: Item | None = {"type": "local"}
    if hosted:
        container = environment.get("container_id") or ident(seed, "cntr")
        shown_environment = {"type": "container_reference", "container_id": container}
    base = {"id": item_id, "call_id": call_id, "type": "shell_call"}
    action = {"commands": [command], "max_output_length": None, "timeout_ms": None}
    where = {"command_index": 0}
    call = Step(
        added={
            **base,
            "action": {**action, "commands": []},
            "environment": shown_environment,
            "status": "in_progress",
        },
        done={**base, "action": action, "environment": shown_environment, "status": "completed"},
        events=(
            {"type": "response.shell_call_command.added", **where, "command": ""},
            *_streamed("response.shell_call_command", where, "command", command),
        ),
    )
    if not hosted:
        return HostedAnswer((call,), None)
    output_id = ident(seed, "sho")
    stdout = f"{said}\n"
    chunk = {"outcome": {"type": "exit", "exit_code": 0}, "stderr": "", "stdout": stdout}
    output_base = {
        "id": output_id,
        "call_id": call_id,
        "max_output_length": None,
        "type": "shell_call_output",
    }
    output = Step(
        added={**output_base, "output": [], "status": "in_progress"},
        done={**output_base, "output": [chunk], "status": "completed"},
        events=(
            {
                "type": "response.shell_call_output_content.delta",
                "item_id": output_id,
                **where,
                "delta": {"stdout": stdout, "stderr": ""},
            },
            {
                "type": "response.shell_call_output_content.done",
                "item_id": output_id,
                **where,
                "output": [chunk],
            },
        ),
    )
    return HostedAnswer((call, output), said)


def apply_patch(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return an apply_patch_call that creates a file holding the user's words."""
    said = _said(last_user)
    base = {"id": ident(seed, "apc"), "call_id": ident(seed, "call"), "type": "apply_patch_call"}
    operation = {"type": "create_file", "path": "local.txt", "diff": f"+{said}\n"}
    return HostedAnswer(
        (
            Step(
                added={**base, "operation": operation, "status": "in_progress"},
                done={**base, "operation": operation, "status": "completed"},
            ),
        ),
        None,
    )


def computer(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return a computer_call that asks for a screenshot, the first step of any computer task."""
    base: Item = {
        "id": ident(seed, "cu"),
        "call_id": ident(seed, "call"),
        "pending_safety_checks": [],
        "type": "computer_call",
    }
    screenshot = {"type": "screenshot"}
    # The preview tool's calls carry one `action`; the GA `computer` tool's, a list `actions`.
    if tool.get("type") == "computer_use_preview":
        base["action"] = screenshot
    else:
        base["actions"] = [screenshot]
    return HostedAnswer(
        (Step({**base, "status": "in_progress"}, {**base, "status": "completed"}),), None
    )


def local_shell(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return a local_shell_call that echoes the user's words."""
    base = {"id": ident(seed, "lsh"), "call_id": ident(seed, "call"), "type": "local_shell_call"}
    action: Item = {
        "type": "exec",
        "command": ["echo", _said(last_user)],
        "env": {},
        "timeout_ms": None,
        "user": None,
        "working_directory": None,
    }
    return HostedAnswer(
        (
            Step(
                {**base, "action": action, "status": "in_progress"},
                {**base, "action": action, "status": "completed"},
            ),
        ),
        None,
    )
