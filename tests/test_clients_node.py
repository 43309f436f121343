"""Real Node clients against each host (`airelay dev`, the Worker over HTTP): the official
openai SDK and the Vercel AI SDK."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer

pytestmark = pytest.mark.clients
ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "clients"
NODE_TIMEOUT_S = 90


def run_node(script: str, server: LiveServer) -> dict[str, Any]:
    """Run one client script against the relay and return the JSON report it prints."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ai").is_dir():
        pytest.skip("node and `npm ci` (scripts/setup.sh --test) are needed for the Node clients")
    done = subprocess.run(
        [node, str(SCRIPTS / script)],
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        cwd=ROOT,
        env={**os.environ, "AIRELAY_URL": server.url},
        check=False,
    )
    assert done.returncode == 0, done.stderr + server.log()
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_openai_node_sdk_works_on_both_routes_plain_and_streamed(relay: LiveServer) -> None:
    report = run_node("openai_sdk.mjs", relay)
    said = "You said: hello from node"
    assert report["chat"].startswith(said)
    assert report["chatStream"] == report["chat"]
    assert report["chatStreamUsage"]["prompt_tokens"] == 3
    assert report["responses"].startswith(said)
    assert report["responsesStream"] == report["responses"]
    assert report["finalResponse"] == report["responses"]
    assert report["finalStatus"] == "completed"


def test_the_vercel_ai_sdk_calls_a_tool_and_answers_with_its_result(relay: LiveServer) -> None:
    report = run_node("vercel_ai.mjs", relay)
    for api in ("chat", "responses"):
        for call in ("generateText", "streamText"):
            outcome = report[f"{api}.{call}"]
            assert outcome["calls"], (api, call)
            assert "22 degrees and sunny" in outcome["text"], (api, call)
