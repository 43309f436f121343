"""Tier 4: the real wrangler validates and bundles the repo's wrangler.toml, offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.wrangler
WRANGLER = REPO / "node_modules" / ".bin" / "wrangler"


@pytest.fixture(scope="module")
def dry_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run `wrangler deploy --dry-run` once for the module."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not WRANGLER.exists():
        pytest.skip("npm wrangler is not installed: run `npm ci`")
    outdir = tmp_path_factory.mktemp("wrangler-out")
    result = subprocess.run(
        [str(WRANGLER), "deploy", "--dry-run", "--outdir", str(outdir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "WRANGLER_SEND_METRICS": "false", "CI": "true"},
        check=False,
    )
    return result, outdir


def test_dry_run_succeeds(dry_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = dry_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--dry-run: exiting now." in result.stdout


def test_dry_run_binds_workers_ai(dry_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = dry_run
    assert "env.AI " in result.stdout


def test_bundle_holds_the_entry_and_the_core(
    dry_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, outdir = dry_run
    assert (outdir / "entry.py").is_file()
    for module in (
        "core/app.py",
        "hosts/worker/__init__.py",
        "core/models/__init__.py",
        "core/types.py",
    ):
        assert (outdir / "airelay" / module).is_file(), module


def test_dry_run_binds_the_rate_limiter_and_the_page(
    dry_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, _ = dry_run
    assert "env.RATE_LIMITER" in result.stdout
    assert "from the assets directory" in result.stdout


def test_worker_dependencies_are_only_what_it_needs_at_run_time() -> None:
    # pywrangler vendors [project].dependencies into the Worker; everything else stays local.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    # PyJWT parses and checks signed tokens on the Worker (README "Frontends without keys").
    assert [dep.split(">")[0].split("=")[0] for dep in project["project"]["dependencies"]] == [
        "pydantic",
        "pyjwt",
    ]
    assert {"workers-py", "workers-runtime-sdk"} <= {
        dep.split("=")[0] for dep in project["dependency-groups"]["dev"]
    }


def test_rate_limit_period_var_matches_the_binding() -> None:
    # `retry-after` is RATE_LIMIT_PERIOD: it must be the binding's own period.
    config = tomllib.loads((REPO / "wrangler.toml").read_text(encoding="utf-8"))
    (limiter,) = [r for r in config["ratelimits"] if r["name"] == "RATE_LIMITER"]
    assert str(limiter["simple"]["period"]) == config["vars"]["RATE_LIMIT_PERIOD"]
