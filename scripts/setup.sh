#!/usr/bin/env bash
# Set up this checkout: .venv with the project, exactly as uv.lock pins it, and (with --test)
# everything the tests use. Needs Python 3.11+ with pip (for uv, see scripts/uv.sh), plus
# Node 20 with npm for --test. Offline once done: `uv sync --locked` installs nothing while
# .venv matches uv.lock and takes what it needs from uv's cache; uv.lock must match
# pyproject.toml (else it fails: run `bash scripts/uv.sh lock` and commit uv.lock).
#   plain   the project (editable) with its `local` extra; packages the tests installed stay
#   --test  also the `test`, `lint` and `docs` groups and the default `dev` group (pywrangler),
#           exactly; the pinned npm tools; the workers-runtime-sdk wheel; Debian's Chromium and curl
#   --docs  the plain set-up plus the `docs` group (mkdocs-material), for scripts/docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mode=base
for arg in "$@"; do
  case "$arg" in
    --test) mode=test ;;
    --docs) mode=docs ;;
    *) echo "usage: scripts/setup.sh [--test | --docs]" >&2; exit 2 ;;
  esac
done

# --- Python: .venv from uv.lock ---------------------------------------------------------------
if [ "$mode" = base ]; then
  # --inexact keeps what a --test set-up added, so `scripts/dev.sh` never uninstalls pytest.
  sync=(sync --locked --inexact --no-default-groups --extra local)
elif [ "$mode" = docs ]; then
  sync=(sync --locked --inexact --no-default-groups --extra local --group docs)
else
  sync=(sync --locked --extra local --group test --group lint --group docs)
fi
# Offline first: once uv's cache holds what uv.lock pins (the usual case once set up), this needs
# no network, not even when a pyproject.toml edit makes uv rebuild the editable project (its
# backend is pinned in [tool.uv], so a cached index page is as good as a fresh one). Only what
# the cache lacks sends uv to the index.
if ! bash scripts/uv.sh "${sync[@]}" --quiet --offline 2>/dev/null \
  && ! bash scripts/uv.sh "${sync[@]}" --quiet; then
  echo "setup: 'uv ${sync[*]}' failed. If uv.lock is out of date with pyproject.toml, run" \
    "'bash scripts/uv.sh lock' (or 'uv lock') and commit uv.lock." >&2
  exit 1
fi

[ "$mode" = test ] || exit 0

# --- Node: wrangler and pyodide, exactly as package-lock.json pins them ----------------------
# `npm ci` has no up-to-date check: it always deletes node_modules and installs again from the
# registry. This stamp (the lock it installed) lets a set-up checkout run the tests offline.
npm_stamp=node_modules/.airelay-npm-ci
want=$(cat package.json package-lock.json | sha256sum)
if [ -f "$npm_stamp" ] && [ "$(cat "$npm_stamp")" = "$want" ] \
  && [ -x node_modules/.bin/wrangler ] && [ -f node_modules/pyodide/pyodide.mjs ] \
  && [ -f node_modules/pyodide-314/pyodide.mjs ]; then
  echo "setup: node_modules matches package-lock.json; skipping npm ci"
else
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$npm_stamp"
fi

# The pinned workers-runtime-sdk wheel (does nothing when it is already there).
bash scripts/fetch-pyodide-deps.sh

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); the HTTP
# tests also call curl.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: ${missing[*]} missing and cannot be installed here (need root + apt-get);" \
      "the tests that need them will be skipped" >&2
  fi
fi
