#!/usr/bin/env bash
# Fetch what the Pyodide test tier (tests/pyodide) needs besides `npm ci`: the
# workers-runtime-sdk wheel at the version pyproject.toml pins, into .cache/wheels/, checked
# against the SHA-256 uv.lock records for it. Idempotent: with the wheel already there it only
# checks the hash and needs no network. Uses the machine's pip (uv venvs have none; uv has no
# download command).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

python="${PYTHON:-python3}"

# "<version> <sha256>": the dev group's pin, and the hash of that wheel in uv.lock.
pin="$("$python" - <<'PY'
import tomllib

with open("pyproject.toml", "rb") as f:
    dev = tomllib.load(f)["dependency-groups"]["dev"]
pins = [r.split("==", 1)[1].strip() for r in dev if r.split("==", 1)[0].strip() == "workers-runtime-sdk"]
if len(pins) != 1:
    raise SystemExit("pyproject.toml: expected one workers-runtime-sdk==<version> in the dev group")
with open("uv.lock", "rb") as f:
    lock = tomllib.load(f)
hashes = [
    wheel["hash"].removeprefix("sha256:")
    for package in lock["package"]
    if package["name"] == "workers-runtime-sdk" and package["version"] == pins[0]
    for wheel in package.get("wheels", [])
    if wheel["url"].endswith(f"-{pins[0]}-py3-none-any.whl")
]
if len(hashes) != 1:
    raise SystemExit(f"uv.lock: no workers-runtime-sdk {pins[0]} wheel; run `bash scripts/uv.sh lock`")
print(pins[0], hashes[0])
PY
)"
read -r version sha256 <<<"$pin"

dest=.cache/wheels
wheel="$dest/workers_runtime_sdk-${version}-py3-none-any.whl"
if [[ -f "$wheel" ]]; then
  echo "fetch-pyodide-deps: $wheel already present"
else
  mkdir -p "$dest"
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$dest" "workers-runtime-sdk==${version}"
  [[ -f "$wheel" ]] || { echo "fetch-pyodide-deps: pip did not produce $wheel" >&2; exit 1; }
  echo "fetch-pyodide-deps: downloaded $wheel"
fi
if ! echo "$sha256  $wheel" | sha256sum --check --status; then
  rm -f "$wheel"
  echo "fetch-pyodide-deps: $wheel does not have the SHA-256 uv.lock records; removed it," \
    "run again" >&2
  exit 1
fi

if [[ ! -f node_modules/pyodide/pyodide.mjs ]]; then
  echo "fetch-pyodide-deps: note: node_modules/pyodide is missing; run npm ci" >&2
fi
