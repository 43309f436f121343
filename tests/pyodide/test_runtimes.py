"""Tier 2 runs on the pinned Pyodide runtimes the Worker targets, with the pinned SDK."""

from __future__ import annotations

import tomllib

import pytest

from tests.pyodide.runner_client import (
    DEFAULT_PYODIDE,
    PYODIDE_RUNTIMES,
    ROOT,
    PyodideRunner,
    pinned_npm_version,
    pinned_sdk_version,
)

pytestmark = pytest.mark.pyodide


def test_runtime_is_a_pinned_pyodide_with_the_pinned_sdk(pyodide: PyodideRunner) -> None:
    version = pyodide.info["pyodide"]
    python = PYODIDE_RUNTIMES[version]
    assert pyodide.info["python"].startswith(f"{python}.")
    found = pyodide.run(
        """
        import importlib.metadata, workers
        [importlib.metadata.version("workers-runtime-sdk"), workers.__file__]
        """
    )
    assert found == [pinned_sdk_version(), f"/lib/python{python}/site-packages/workers/__init__.py"]


def test_package_json_pins_both_python_workers_runtimes() -> None:
    # 314.0.7 is what Workers dated from 2026-09-08 run (wrangler.toml's date); 0.28.3 what
    # older dates run. The tier runs on both.
    assert {pinned_npm_version("pyodide"), pinned_npm_version("pyodide-314")} == set(
        PYODIDE_RUNTIMES
    )
    assert PYODIDE_RUNTIMES[DEFAULT_PYODIDE] == "3.14"


def test_wrangler_date_selects_python_3_14() -> None:
    # pywrangler (workers-py 1.17.9, pywrangler/metadata.py) picks Python 3.14 from
    # compatibility date 2026-09-08 on, and with it Pyodide 314.0.7 (utils.py).
    config = tomllib.loads((ROOT / "wrangler.toml").read_text())
    assert str(config["compatibility_date"]) >= "2026-09-08"
    assert "python_workers" in config["compatibility_flags"]
