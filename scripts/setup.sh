#!/usr/bin/env bash
# Set up this checkout: a .venv with the project, and (with --test) everything the tests use.
# Idempotent; needs only Python 3.11+ with pip, plus Node 20 with npm for --test.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
with_test=0
[ "${1:-}" = "--test" ] && with_test=1

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip >= 25.1 understands dependency groups (`--group`).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"

if [ "$with_test" = 0 ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[local]"
  exit 0
fi

.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -e ".[local]" --group test --group lint
npm ci --no-audit --no-fund --loglevel=error
bash scripts/fetch-pyodide-deps.sh

# Browser tests drive Debian's Chromium; Playwright cannot download browsers here.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing and cannot be installed here (need root + apt-get);" \
      "browser tests will be skipped" >&2
  fi
fi
