"""Shared fixtures."""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import HOST_PARAMS, LiveServer, live_server, relay_server

REPO = Path(__file__).resolve().parent.parent
# The suite's own copies (a clone anywhere runs it); test_model_cards.py keeps them current.
MODEL_CARDS = REPO / "tests" / "data" / "model-cards"
SHARED_MODEL_CARDS = REPO.parent / "shared" / "model-cards"


def load_examples(name: str) -> list[dict[str, Any]]:
    """Return the named model card's examples (name, request[, response])."""
    data = json.loads((MODEL_CARDS / f"{name}.examples.json").read_text(encoding="utf-8"))
    examples: list[dict[str, Any]] = data["examples"] if isinstance(data, dict) else data
    return examples


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    """Run a keyless `airelay dev` on a free loopback port for the whole session."""
    with live_server() as running:
        yield running


@pytest.fixture(scope="session", params=HOST_PARAMS)
def relay(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """Run the keyless relay on each host in turn: `airelay dev`, then the Worker over HTTP."""
    # Session-scoped and parametrised: pytest runs every test of one host, then the other's,
    # so one Worker server (one Pyodide boot) serves the whole session.
    if request.param == "local":
        yield request.getfixturevalue("server")
        return
    with relay_server(request.param) as running:
        yield running


# The token delay of the slow relays (tests/check_relays.py TOKEN_DELAY_S): a stream takes
# visible time, so tests can tell an unbuffered stream from a buffered one.
SLOW_TOKEN_DELAY_MS = "50"


@pytest.fixture(scope="session", params=HOST_PARAMS)
def slow_relay(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """Run a keyless relay on each host whose local model pauses 50 ms between tokens."""
    with relay_server(request.param, args=("--token-delay-ms", SLOW_TOKEN_DELAY_MS)) as running:
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fail, rather than skip, a test whose tier is missing when AIRELAY_NO_SKIPS=1 (CI)."""
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and os.environ.get("AIRELAY_NO_SKIPS") == "1"
    ):
        report.outcome = "failed"
        report.longrepr = f"AIRELAY_NO_SKIPS=1, but this test skipped: {report.longrepr}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Fail, rather than skip, a whole module whose tier is missing when AIRELAY_NO_SKIPS=1."""
    report = yield
    if report.skipped and os.environ.get("AIRELAY_NO_SKIPS") == "1":
        report.outcome = "failed"
        report.longrepr = f"AIRELAY_NO_SKIPS=1, but this module skipped: {report.longrepr}"
    return report
