#!/usr/bin/env bash
# Set up everything and run the whole test suite: lint, types, and all test tiers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export WRANGLER_SEND_METRICS=false
.venv/bin/ruff check src tests bench scripts
.venv/bin/ruff format --check src tests bench scripts
.venv/bin/mypy
.venv/bin/mypy scripts/gen_docs.py
# The architecture's import contracts (pyproject.toml [tool.importlinter]); no cache: a run
# takes a second, and its cache is not safe for concurrent runs.
.venv/bin/lint-imports --no-cache
# The docs site (mkdocs.yml): a broken link or anchor, or a page left out of the nav, fails the
# build. Offline: no plugin fetches anything. NO_MKDOCS_2_WARNING: mkdocs-material's banner.
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$site"
.venv/bin/python -m pytest "$@"
