"""The project's tooling: uv.lock and the scripts that install from it, the commands of the README
and the docs, the npm scripts and `.dev.vars.example`. Everything here runs offline."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SETUP = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
DOCS = REPO / "docs"
UV_VERSION = re.search(r"^UV_VERSION=(\S+)$", (REPO / "scripts" / "uv.sh").read_text(), re.M)
UV = REPO / ".cache" / f"uv-{UV_VERSION[1] if UV_VERSION else 'unknown'}" / "bin" / "uv"
QUICK_START = "Quick start (a fresh machine: Python 3.11+ with pip, Node 20 with npm)"
# uv would read these and reach past the environments a test sets up.
UV_STEERING = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_FROZEN", "UV_NO_SYNC", "UV_LOCKED")


def uv_env(**extra: str) -> dict[str, str]:
    """Return an environment in which uv works offline on this machine's Python."""
    env = {k: v for k, v in os.environ.items() if k not in UV_STEERING}
    return {**env, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never", **extra}


@pytest.fixture(scope="module")
def uv() -> Path:
    """Return the pinned uv that scripts/uv.sh installed."""
    if not UV.is_file():
        pytest.skip(f"uv is not installed at {UV.relative_to(REPO)}: run bash scripts/test.sh")
    return UV


def section(title: str) -> str:
    """Return the README's `## title` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no section '## {title}'"
    return match[1]


def page(name: str) -> str:
    """Return a page of the docs site (docs/), where the README's details moved."""
    return (DOCS / name).read_text(encoding="utf-8")


def commands(text: str) -> list[str]:
    """Return the commands of every ```sh block in text, comments and blank lines dropped."""
    found: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```$", text, re.M | re.S):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command and not command.startswith("#"):
                found.append(command)
    return found


def npm_scripts() -> dict[str, str]:
    """Return package.json's scripts."""
    scripts: dict[str, str] = json.loads((REPO / "package.json").read_text())["scripts"]
    return scripts


def locked_version(name: str) -> str:
    """Return the version uv.lock pins for a package."""
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    (version,) = {p["version"] for p in lock["package"] if p["name"] == name}
    return str(version)


# --- uv.lock and `uv sync --locked` ------------------------------------------------------------


def test_lock_matches_pyproject(uv: Path) -> None:
    result = subprocess.run(
        [str(uv), "lock", "--check"],
        cwd=REPO,
        env=uv_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_lock_pins_the_worker_runtime_dependency() -> None:
    # pywrangler vendors [project].dependencies; uv.lock pins them like every group.
    assert locked_version("pydantic")
    assert locked_version("pyjwt")
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    (project,) = [p for p in lock["package"] if p["name"] == "airelay"]
    assert [d["name"] for d in project["dependencies"]] == ["pydantic", "pyjwt"]


@pytest.fixture
def unlocked_checkout(tmp_path: Path) -> Path:
    """Return a copy of the checkout whose pyproject.toml dropped a test dependency unlocked."""
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy2(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "scripts", tmp_path / "scripts")
    (tmp_path / "src" / "airelay").mkdir(parents=True)
    (tmp_path / "src" / "airelay" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / UV.parents[1].name).symlink_to(UV.parents[1])
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '"httpx2==' in text
    pyproject.write_text(re.sub(r'\s*"httpx2==[^"]*",', "", text), encoding="utf-8")
    return tmp_path


def test_setup_fails_loudly_when_pyproject_changed_without_relocking(
    uv: Path, unlocked_checkout: Path
) -> None:
    result = subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=unlocked_checkout,
        env=uv_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    # uv's own error comes first: "The lockfile at `uv.lock` needs to be updated", or, offline
    # with a cache that lacks the metadata of other platforms' forks, the resolution failure.
    assert result.stderr.startswith("error: ")
    assert "run 'bash scripts/uv.sh lock'" in result.stderr
    assert not (unlocked_checkout / ".venv" / "bin" / "airelay").exists()


@pytest.fixture(scope="module")
def dev_group_venv(uv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install only the `dev` group from uv.lock, offline, into a fresh environment."""
    venv = tmp_path_factory.mktemp("dev-group") / "venv"
    result = subprocess.run(
        [str(uv), "sync", "--locked", "--only-group", "dev"],
        cwd=REPO,
        env=uv_env(UV_PROJECT_ENVIRONMENT=str(venv)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return venv


def test_dev_group_installs_the_locked_workers_tools(dev_group_venv: Path) -> None:
    found = subprocess.run(
        [
            str(dev_group_venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m;"
            "print(m.version('workers-py'), m.version('workers-runtime-sdk'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert found.stdout.split() == [
        locked_version("workers-py"),
        locked_version("workers-runtime-sdk"),
    ]
    # Only the group: the project and its runtime dependency are not in it.
    assert not (dev_group_venv / "bin" / "airelay").exists()


def test_pywrangler_help_runs_from_the_dev_group(dev_group_venv: Path) -> None:
    # Without npx on PATH pywrangler prints its own help and a note instead of asking wrangler
    # for its help (which it gives 10 s, too little on a busy machine).
    result = subprocess.run(
        [str(dev_group_venv / "bin" / "pywrangler"), "--help"],
        cwd=REPO,
        env={**uv_env(), "PATH": str(dev_group_venv / "bin")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Usage: pywrangler" in result.stdout
    assert re.search(r"^\s+sync\s", result.stdout, re.M)
    assert "npx --yes wrangler --help" in result.stdout


# --- the README's commands are the ones the scripts run -----------------------------------------


def test_quick_start_commands_are_the_dev_and_test_scripts() -> None:
    assert commands(section(QUICK_START)) == [
        "bash scripts/dev.sh",
        "bash scripts/test.sh",
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^exec bash scripts/test\.sh$", ci, re.M)


def test_quick_start_page_has_the_readme_commands() -> None:
    assert commands(page("quick-start.md")) == commands(section(QUICK_START))


def test_quick_start_page_names_the_pinned_uv() -> None:
    assert UV_VERSION
    assert f"pip install --target .cache/uv-{UV_VERSION[1]}`" in page("quick-start.md")


def test_quick_start_page_sync_commands_are_the_ones_setup_runs() -> None:
    described = re.findall(r"`uv (sync [^`]*)`", page("quick-start.md"))
    run_by_setup = re.findall(r"^\s*sync=\(([^)]*)\)$", SETUP, re.M)
    assert len(run_by_setup) == 3
    assert sorted(described) == sorted(run_by_setup)


def test_npm_scripts_run_the_documented_commands() -> None:
    scripts = npm_scripts()
    assert scripts["dev"] == "bash scripts/dev.sh"
    worker = commands(page("worker-locally.md"))
    assert scripts["dev:worker"] == worker[-1] == "uv run pywrangler dev"
    assert scripts["docs"] == commands(page("docs-site.md"))[0] == "bash scripts/docs.sh"
    for name in ("dev", "dev:worker", "docs"):
        assert f"`npm run {name}`" in README


def page_section(text: str, heading: str) -> str:
    """Return the part of a page under `heading`, up to the next heading of its level."""
    start = text.index(f"\n{heading}\n")
    level = heading.split(" ", 1)[0]
    end = text.find(f"\n{level} ", start + len(heading) + 2)
    return text[start : end if end != -1 else None]


def test_the_worker_in_pyodide_starts_with_the_test_set_up_and_its_npm_script() -> None:
    steps = commands(page_section(page("worker-locally.md"), "## npm run dev:pyodide"))
    assert steps == ["bash scripts/setup.sh --test", "npm run dev:pyodide"]
    script = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["scripts"]
    assert script["dev:pyodide"].endswith("scripts/worker-pyodide.mjs")
    assert (REPO / "scripts" / "worker-pyodide.mjs").is_file()


def test_running_the_worker_locally_lists_its_steps_in_order() -> None:
    steps = commands(page_section(page("worker-locally.md"), "## wrangler dev"))
    assert [shlex.split(step)[:2] for step in steps] == [
        ["npm", "ci"],
        ["pip", "install"],
        ["npx", "wrangler"],
        ["uv", "run"],
    ]
    assert steps[1] == "pip install uv"
    assert steps[2] == "npx wrangler login"
    # The same `npm ci` the test set-up runs.
    assert re.search(r"^\s+npm ci\b", SETUP, re.M)


def test_dev_vars_example_names_only_documented_variables() -> None:
    example = (REPO / ".dev.vars.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.M))
    assert {"API_KEYS", "ALLOW_ANONYMOUS", "CORS_ALLOW_ORIGINS"} <= named
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", page("configuration.md"), re.M))
    assert named <= documented


# --- the architecture, as import-linter contracts (pyproject.toml [tool.importlinter]) --------

CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["contracts"]


def test_scripts_test_sh_checks_the_contracts_after_the_types() -> None:
    steps = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8").splitlines()
    contracts = steps.index(".venv/bin/lint-imports --no-cache")
    assert (
        steps.index(".venv/bin/mypy") < contracts < steps.index('.venv/bin/python -m pytest "$@"')
    )


def test_the_architecture_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_the_pydantic_free_contract_lists_every_core_module_the_glue_imports() -> None:
    import grimp

    (contract,) = [c for c in CONTRACTS if "pydantic" in c["forbidden_modules"]]
    graph = grimp.build_graph("airelay")
    glue = {m for m in graph.modules if m.startswith("airelay.hosts.worker")}
    used = set().union(*(graph.find_downstream_modules(m) for m in glue)) - glue
    assert used <= set(contract["source_modules"])
