#!/usr/bin/env bash
# Set up everything and run the whole test suite: lint, types, and all test tiers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export WRANGLER_SEND_METRICS=false
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
# The architecture's import contracts (pyproject.toml [tool.importlinter]); no cache: a run
# takes a second, and its cache is not safe for concurrent runs.
.venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
