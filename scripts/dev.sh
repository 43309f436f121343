#!/usr/bin/env bash
# Set up the local host and start it: `scripts/dev.sh [--host H] [--port P] [--token-delay-ms N]`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/airelay dev "$@"
