"""The type stubs in typings/ name only what the real Pyodide runtime modules provide."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.pyodide.runner_client import ROOT, PyodideRunner

pytestmark = pytest.mark.pyodide

STUBS = {
    "pyodide.ffi": ROOT / "typings" / "pyodide" / "ffi.pyi",
    "workers": ROOT / "typings" / "workers.pyi",
}


def stub_names(path: Path) -> list[str]:
    """Return the top-level names a stub file declares."""
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


@pytest.mark.parametrize("module", sorted(STUBS))
def test_every_stubbed_name_exists_in_the_real_module(pyodide: PyodideRunner, module: str) -> None:
    names = stub_names(STUBS[module])
    assert names
    missing = pyodide.run(
        f"""
        import importlib
        real = importlib.import_module({module!r})
        [name for name in {names!r} if not hasattr(real, name)]
        """
    )
    assert missing == []
