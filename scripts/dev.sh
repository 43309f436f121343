#!/usr/bin/env bash
# Set up the local host and start it: `scripts/dev.sh [--host H] [--port P] [--token-delay-ms N]
# [--env-file F]`. Set-up (`uv sync --locked`, see scripts/setup.sh) needs the package index only
# the first time and after uv.lock changes; later starts work offline. Reads `.dev.vars` from
# the repository root, if present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/airelay dev "$@"
