"""Start `runner.mjs` (real Pyodide under Node) and run Python snippets in it; used by the
Pyodide test tier's conftest and by `bench/glue_pyodide.py`."""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import subprocess
import textwrap
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WHEEL_DIR = ROOT / ".cache" / "wheels"
SETUP_HINT = "scripts/fetch-pyodide-deps.sh"

# The Python Workers runtimes, by npm pyodide version: 314.0.7 (Python 3.14) for compatibility
# dates from 2026-09-08, 0.28.3 (Python 3.13) for earlier ones (workers-py 1.17.9,
# pywrangler/metadata.py and utils.py get_pyodide_index). The tier runs on both.
PYODIDE_RUNTIMES = {"314.0.7": "3.14", "0.28.3": "3.13"}
DEFAULT_PYODIDE = "314.0.7"

START_TIMEOUT_S = 90.0
CALL_TIMEOUT_S = 60.0


class PyodideError(Exception):
    """A snippet raised inside Pyodide; the message is its Python traceback."""


class RunnerDiedError(Exception):
    """The Node process stopped answering."""


@dataclass(frozen=True)
class Pieces:
    """Where the tier's external pieces are."""

    node: str
    pyodide_dir: Path
    wheel: Path


def pinned_npm_version(package: str) -> str:
    """Return the version package.json pins for an npm dev dependency (an alias's target's)."""
    manifest = json.loads((ROOT / "package.json").read_text())
    spec = str(manifest["devDependencies"][package])
    # "npm:pyodide@314.0.7" installs pyodide 314.0.7 under another name.
    return spec.rpartition("@")[2] if spec.startswith("npm:") else spec


def pyodide_package(version: str) -> str:
    """Return the node_modules name under which package.json installs npm pyodide@`version`."""
    manifest = json.loads((ROOT / "package.json").read_text())
    for name, spec in manifest["devDependencies"].items():
        if spec in (version, f"npm:pyodide@{version}") and (
            name == "pyodide" or str(spec).startswith("npm:pyodide@")
        ):
            return str(name)
    raise LookupError(f"package.json pins no pyodide@{version}")


def pinned_sdk_version() -> str:
    """Return the workers-runtime-sdk version pyproject.toml pins in the dev group."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in project["dependency-groups"]["dev"]:
        name, _, version = str(requirement).partition("==")
        if name.strip() == "workers-runtime-sdk" and version:
            return version.strip()
    raise LookupError("pyproject.toml pins no workers-runtime-sdk==<version> in the dev group")


def locate(version: str = DEFAULT_PYODIDE) -> Pieces | str:
    """Find node, npm pyodide@`version` and the SDK wheel, or say what is missing."""
    node = shutil.which("node")
    if node is None:
        return "node not found on PATH (Node 20 is needed for the Pyodide tier)"
    package = pyodide_package(version)
    pyodide_dir = ROOT / "node_modules" / package
    installed = pyodide_dir / "package.json"
    if not installed.is_file():
        return f"npm pyodide@{version} ({package}) not installed: run npm ci"
    found = json.loads(installed.read_text()).get("version")
    if found != version:
        return f"npm pyodide@{version} not installed (found {found}): run npm ci"
    sdk = pinned_sdk_version()
    wheel = WHEEL_DIR / f"workers_runtime_sdk-{sdk}-py3-none-any.whl"
    if not wheel.is_file():
        where = WHEEL_DIR.relative_to(ROOT)
        return f"workers-runtime-sdk=={sdk} wheel not in {where}: run {SETUP_HINT}"
    return Pieces(node=node, pyodide_dir=pyodide_dir, wheel=wheel)


class PyodideRunner:
    """One Node process running Pyodide; `run(code)` returns the snippet's last expression."""

    def __init__(self, pieces: Pieces, stderr: IO[bytes]) -> None:
        self._stderr = stderr
        self._proc = subprocess.Popen(
            [
                pieces.node,
                str(HERE / "runner.mjs"),
                "--pyodide",
                str(pieces.pyodide_dir),
                "--wheel",
                str(pieces.wheel),
                "--src",
                str(ROOT / "src"),
                "--harness",
                str(HERE / "harness.py"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=ROOT,
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 0
        self._broken: str | None = None
        try:
            self.info: dict[str, Any] = self._receive(START_TIMEOUT_S)
        except BaseException:
            self.close()
            raise
        if not self.info.get("ready"):
            self.close()
            raise RunnerDiedError(f"unexpected first line from runner.mjs: {self.info}")

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _receive(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            # A snippet still running would answer the next request's question: stop here.
            self._broken = f"no answer within {timeout:.0f} s"
            raise RunnerDiedError(f"{self._broken}{self._stderr_tail()}") from None
        if line is None:
            self._broken = f"runner.mjs exited ({self._proc.poll()})"
            raise RunnerDiedError(f"{self._broken}{self._stderr_tail()}")
        message: dict[str, Any] = json.loads(line)
        return message

    def _stderr_tail(self) -> str:
        self._stderr.flush()
        try:
            text = Path(self._stderr.name).read_text(errors="replace")
        except (AttributeError, OSError, TypeError):
            return ""
        tail = "\n".join(text.splitlines()[-40:])
        return f"\n--- runner stderr (tail) ---\n{tail}" if tail else ""

    def run(self, code: str, timeout: float = CALL_TIMEOUT_S) -> Any:
        """Run `code` (dedented; top-level await allowed); return its last expression, via JSON."""
        if self._broken is not None:
            raise RunnerDiedError(f"the runner stopped earlier: {self._broken}")
        self._next_id += 1
        request = {"id": self._next_id, "code": textwrap.dedent(code)}
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            raise RunnerDiedError(f"runner.mjs is gone{self._stderr_tail()}") from None
        answer = self._receive(timeout)
        if answer.get("id") != self._next_id:
            raise RunnerDiedError(f"answer out of order: {answer}")
        if not answer["ok"]:
            raise PyodideError(answer["error"])
        return answer["value"]

    def close(self) -> None:
        """Close stdin so the runner ends its loop; wait for it; close the pipes."""
        proc = self._proc
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._reader.join(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()
