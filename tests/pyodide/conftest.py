"""Tier 2: one Node process running real Pyodide for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pyodide.runner_client import Pieces, PyodideRunner, locate


def _require() -> bool:
    # CI sets this so that a missing piece fails the run instead of silently skipping the tier.
    return os.environ.get("AIRELAY_REQUIRE_PYODIDE") == "1"


@pytest.fixture(scope="session")
def pyodide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PyodideRunner]:
    """Start the runner: `pyodide.run(code)` executes a snippet in Pyodide, returning its value."""
    pieces = locate()
    if not isinstance(pieces, Pieces):
        if _require():
            pytest.fail(f"AIRELAY_REQUIRE_PYODIDE=1 but {pieces}")
        pytest.skip(pieces)
    log = tmp_path_factory.mktemp("pyodide") / "runner-stderr.log"
    with log.open("wb") as stderr:
        runner = PyodideRunner(pieces, stderr)
        try:
            yield runner
        finally:
            runner.close()
