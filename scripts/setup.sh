#!/usr/bin/env bash
# Set up this checkout: a .venv with the project, and (with --test) everything the tests use.
# Needs only Python 3.11+ with pip and venv (Debian/Ubuntu: the python3-venv package), plus
# Node 20 with npm for --test.
#
# Idempotent, and offline once done: each step leaves a stamp and is skipped while its inputs
# are unchanged, so `scripts/dev.sh` starts without the package index.
#   .venv/.airelay-setup         SHA-256 of pyproject.toml + "base" or "test" (test covers base)
#   node_modules/.airelay-setup  SHA-256 of package.json + package-lock.json (`npm ci` wipes it)
#   .cache/wheels/...            the pinned workers-runtime-sdk wheel (fetched once)
# `--force` (or deleting a stamp) redoes the install steps.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
mode=base
force=0
for arg in "$@"; do
  case "$arg" in
    --test) mode=test ;;
    --force) force=1 ;;
    *) echo "usage: scripts/setup.sh [--test] [--force]" >&2; exit 2 ;;
  esac
done

# `digest PYTHON FILE... -- WORD...`: one SHA-256 over the files' contents and the words.
digest() {
  "$1" - "${@:2}" <<'PY'
import hashlib
import sys

args = sys.argv[1:]
cut = args.index("--") if "--" in args else len(args)
h = hashlib.sha256()
for name in args[:cut]:
    with open(name, "rb") as f:
        h.update(hashlib.sha256(f.read()).digest())
for word in args[cut + 1 :]:
    h.update(word.encode() + b"\0")
print(h.hexdigest())
PY
}

stamp_matches() { # stamp_matches FILE VALUE...: the stamp holds one of the values
  [ "$force" = 0 ] && [ -f "$1" ] || return 1
  local have want
  have=$(cat "$1")
  for want in "${@:2}"; do [ "$have" = "$want" ] && return 0; done
  return 1
}

# --- Python: .venv with the project (editable) and, for --test, the test and lint groups ----
venv_stamp=.venv/.airelay-setup
test_stamp=none base_stamp=none
if [ -x .venv/bin/python ]; then
  test_stamp=$(digest .venv/bin/python pyproject.toml -- test) || test_stamp=none
  base_stamp=$(digest .venv/bin/python pyproject.toml -- base) || base_stamp=none
fi
if [ "$mode" = test ]; then accepted=("$test_stamp"); tools=(airelay pytest ruff mypy)
else accepted=("$base_stamp" "$test_stamp"); tools=(airelay)
fi
venv_ready=1
stamp_matches "$venv_stamp" "${accepted[@]}" || venv_ready=0
for tool in "${tools[@]}"; do [ -x ".venv/bin/$tool" ] || venv_ready=0; done

if [ "$venv_ready" = 1 ]; then
  echo "setup: .venv is up to date with pyproject.toml ($mode); skipping pip"
else
  # A venv without pip (e.g. left by `python3 -m venv` without python3-venv) is made anew.
  if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    if ! "$PYTHON" -m venv --clear .venv; then
      echo "setup: '$PYTHON -m venv' failed; on Debian/Ubuntu install python3-venv" \
        "(apt-get install python3-venv) and rerun" >&2
      exit 1
    fi
  fi
  rm -f "$venv_stamp"
  pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
  # pip >= 25.1 understands dependency groups (`--group`); an up-to-date pip needs no index.
  "${pip[@]}" "pip>=25.1"
  if [ "$mode" = base ]; then
    "${pip[@]}" -e ".[local]"
  else
    "${pip[@]}" -e ".[local]" --group test --group lint
  fi
  digest .venv/bin/python pyproject.toml -- "$mode" >"$venv_stamp"
fi

[ "$mode" = test ] || exit 0

# --- Node: wrangler and pyodide, exactly as package-lock.json pins them ----------------------
npm_stamp=node_modules/.airelay-setup
want=$(digest .venv/bin/python package.json package-lock.json)
if stamp_matches "$npm_stamp" "$want" && [ -x node_modules/.bin/wrangler ] \
  && [ -f node_modules/pyodide/pyodide.mjs ]; then
  echo "setup: node_modules is up to date with package-lock.json; skipping npm ci"
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
