#!/usr/bin/env bash
# Fetch what the Pyodide test tier (tests/pyodide), the Worker over HTTP
# (scripts/worker-pyodide.mjs) and bench/worker_pyodide.py need besides `npm ci`, into
# .cache/wheels/, each wheel at the version and SHA-256 uv.lock records:
#   - workers-runtime-sdk, at the dev group's pin (the Worker SDK: on Cloudflare the runtime
#     vendors it);
#   - the Worker's runtime dependencies as pywrangler vendors them into python_modules/ for
#     Python 3.14 (Pyodide 314.0.7): pydantic, pydantic-core's `pyemscripten_2026_0_wasm32`
#     wheel, annotated-types, typing-extensions, typing-inspection, PyJWT.
# No pydantic-core wheel exists for Python 3.13 (Pyodide 0.28.3): there the tier runs the glue
# only. Idempotent: with the wheels already there it needs no network. Uses the machine's pip
# (uv venvs have none; uv has no download command).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

python="${PYTHON:-python3}"
dest=.cache/wheels
mkdir -p "$dest"

# One line per wheel: "<name> <version> <filename> <sha256> <platform or ->", from uv.lock.
wheels="$("$python" - <<'PY'
import tomllib

with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)
dev = project["dependency-groups"]["dev"]
sdk = [r.split("==", 1)[1].strip() for r in dev if r.split("==", 1)[0].strip() == "workers-runtime-sdk"]
if len(sdk) != 1:
    raise SystemExit("pyproject.toml: expected one workers-runtime-sdk==<version> in the dev group")
with open("uv.lock", "rb") as f:
    lock = tomllib.load(f)
packages = {p["name"]: p for p in lock["package"]}
# The Worker's runtime closure (what pywrangler vendors), by uv.lock's resolution.
wanted = {"workers-runtime-sdk": sdk[0]}
for name in ("pydantic", "pydantic-core", "annotated-types", "typing-extensions",
             "typing-inspection", "pyjwt"):
    if name not in packages:
        raise SystemExit(f"uv.lock: no {name}; run `bash scripts/uv.sh lock`")
    wanted[name] = packages[name]["version"]
PLATFORM = "pyemscripten_2026_0_wasm32"
for name, version in wanted.items():
    package = packages.get(name)
    if package is None or package["version"] != version:
        raise SystemExit(f"uv.lock: no {name} {version}; run `bash scripts/uv.sh lock`")
    files = [w for w in package.get("wheels", []) if w["url"].endswith("-none-any.whl")]
    platform = "-"
    if not files:
        files = [w for w in package.get("wheels", []) if w["url"].endswith(f"cp314-cp314-{PLATFORM}.whl")]
        platform = PLATFORM
    if len(files) != 1:
        raise SystemExit(f"uv.lock: no single {name} {version} wheel for Pyodide 314")
    filename = files[0]["url"].rsplit("/", 1)[1]
    print(name, version, filename, files[0]["hash"].removeprefix("sha256:"), platform)
PY
)"

while read -r name version filename sha256 platform; do
  wheel="$dest/$filename"
  if [[ -f "$wheel" ]]; then
    echo "fetch-pyodide-deps: $wheel already present"
  else
    extra=()
    if [[ "$platform" != "-" ]]; then
      extra=(--platform "$platform" --python-version 3.14)
    fi
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      "${extra[@]}" --dest "$dest" "${name}==${version}"
    [[ -f "$wheel" ]] || { echo "fetch-pyodide-deps: pip did not produce $wheel" >&2; exit 1; }
    echo "fetch-pyodide-deps: downloaded $wheel"
  fi
  if ! echo "$sha256  $wheel" | sha256sum --check --status; then
    rm -f "$wheel"
    echo "fetch-pyodide-deps: $wheel does not have the SHA-256 uv.lock records; removed it," \
      "run again" >&2
    exit 1
  fi
done <<<"$wheels"

for runtime in pyodide pyodide-314; do
  if [[ ! -f "node_modules/$runtime/pyodide.mjs" ]]; then
    echo "fetch-pyodide-deps: note: node_modules/$runtime is missing; run npm ci" >&2
  fi
done
