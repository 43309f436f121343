"""Tier 2: real Pyodide under Node, one process per runtime for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pyodide.runner_client import PYODIDE_RUNTIMES, Pieces, PyodideRunner, locate


def _require() -> bool:
    # CI sets this so that a missing piece fails the run instead of silently skipping the tier.
    return os.environ.get("AIRELAY_REQUIRE_PYODIDE") == "1"


@pytest.fixture(scope="session", params=list(PYODIDE_RUNTIMES), ids=lambda v: f"pyodide-{v}")
def pyodide(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PyodideRunner]:
    """Start the runner: `pyodide.run(code)` executes a snippet in Pyodide, returning its value."""
    # Session-scoped and parametrised: pytest runs every test on one runtime, closes that
    # runner, then starts the next, so at most one Node process runs at a time.
    version: str = request.param
    pieces = locate(version)
    if not isinstance(pieces, Pieces):
        if _require():
            pytest.fail(f"AIRELAY_REQUIRE_PYODIDE=1 but {pieces}")
        pytest.skip(pieces)
    log = tmp_path_factory.mktemp(f"pyodide-{version}") / "runner-stderr.log"
    with log.open("wb") as stderr:
        runner = PyodideRunner(pieces, stderr)
        try:
            yield runner
        finally:
            runner.close()
