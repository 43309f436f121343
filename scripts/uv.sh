#!/usr/bin/env bash
# Run the project's pinned uv (`bash scripts/uv.sh sync`, `bash scripts/uv.sh lock`, ...) on
# this machine's Python. The first run installs uv with pip into .cache/uv-<version>/; later
# runs reuse it without the network. Set PYTHON to use another interpreter (default: python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UV_VERSION=0.13.9
tools=".cache/uv-$UV_VERSION"
uv="$tools/bin/uv"

if [[ ! -x "$uv" ]]; then
  PYTHON=${PYTHON:-python3}
  echo "uv.sh: installing uv $UV_VERSION into $tools (pip, once)" >&2
  # `pip install --target` works as root and as a normal user, needs no python3-venv, and is
  # allowed on an "externally managed" system Python (PEP 668 exempts --target). Installed
  # beside and then moved, so an interrupted install never leaves a half uv behind.
  staging="$tools.partial.$$"
  rm -rf "$staging"
  trap 'rm -rf "$staging"' EXIT
  # (An environment variable, not --root-user-action, which pip before 22.1 would reject.)
  PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check \
    --no-deps --only-binary=:all: --target "$staging" "uv==$UV_VERSION"
  "$staging/bin/uv" --version >/dev/null
  rm -rf "$tools"
  mv "$staging" "$tools"
  trap - EXIT
fi

# uv uses this machine's Python and never downloads one, and trusts the machine's certificate
# store as pip does (uv's default is its own bundled roots, which a TLS-inspecting proxy fails).
export UV_PYTHON_DOWNLOADS=never
export UV_SYSTEM_CERTS=${UV_SYSTEM_CERTS:-1}
if [[ -z "${UV_PYTHON:-}" ]]; then
  UV_PYTHON=$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')
  export UV_PYTHON
fi
exec "$uv" "$@"
