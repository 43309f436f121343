#!/usr/bin/env bash
# Fetch what the Pyodide test tier (tests/pyodide) needs besides `npm ci`: the
# workers-runtime-sdk wheel at the version pyproject.toml pins (checked against the SHA-256 uv.lock
# records for it) and the pinned PyJWT wheel, into .cache/wheels/. Idempotent: with the wheels
# already there it needs no network. Uses the machine's pip (uv venvs have none; uv has no
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

# PyJWT, the one pure-Python runtime dependency the glue's token path needs besides the core.
jwt_version="$("$python" - <<'PY'
import tomllib

with open("pyproject.toml", "rb") as f:
    deps = tomllib.load(f)["project"]["dependencies"]
pins = [d.split("==", 1)[1].strip() for d in deps if d.split("==", 1)[0].strip().lower() == "pyjwt"]
if len(pins) != 1:
    raise SystemExit("pyproject.toml: expected one pyjwt==<version> in [project].dependencies")
print(pins[0])
PY
)"
jwt_wheel="$dest/pyjwt-${jwt_version}-py3-none-any.whl"
if [[ -f "$jwt_wheel" ]]; then
  echo "fetch-pyodide-deps: $jwt_wheel already present"
else
  mkdir -p "$dest"
  "$python" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$dest" "pyjwt==${jwt_version}"
  [[ -f "$jwt_wheel" ]] || { echo "fetch-pyodide-deps: pip did not produce $jwt_wheel" >&2; exit 1; }
  echo "fetch-pyodide-deps: downloaded $jwt_wheel"
fi

for runtime in pyodide pyodide-314; do
  if [[ ! -f "node_modules/$runtime/pyodide.mjs" ]]; then
    echo "fetch-pyodide-deps: note: node_modules/$runtime is missing; run npm ci" >&2
  fi
done
