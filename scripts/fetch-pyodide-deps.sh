#!/usr/bin/env bash
# Fetch what the Pyodide test tier (tests/pyodide) needs besides `npm ci`: the
# workers-runtime-sdk wheel at the version pyproject.toml pins, into .cache/wheels/.
# Idempotent: with the wheel already there it does nothing and needs no network.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x .venv/bin/python ]]; then python=.venv/bin/python; else python=python3; fi
fi

version="$("$python" - <<'PY'
import tomllib

with open("pyproject.toml", "rb") as f:
    dev = tomllib.load(f)["dependency-groups"]["dev"]
pins = [r.split("==", 1)[1].strip() for r in dev if r.split("==", 1)[0].strip() == "workers-runtime-sdk"]
if len(pins) != 1:
    raise SystemExit("pyproject.toml: expected one workers-runtime-sdk==<version> in the dev group")
print(pins[0])
PY
)"

dest=.cache/wheels
wheel="$dest/workers_runtime_sdk-${version}-py3-none-any.whl"
if [[ -f "$wheel" ]]; then
  echo "fetch-pyodide-deps: $wheel already present"
else
  mkdir -p "$dest"
  "$python" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$dest" "workers-runtime-sdk==${version}"
  [[ -f "$wheel" ]] || { echo "fetch-pyodide-deps: pip did not produce $wheel" >&2; exit 1; }
  echo "fetch-pyodide-deps: downloaded $wheel"
fi

for runtime in pyodide pyodide-314; do
  if [[ ! -f "node_modules/$runtime/pyodide.mjs" ]]; then
    echo "fetch-pyodide-deps: note: node_modules/$runtime is missing; run npm ci" >&2
  fi
done
