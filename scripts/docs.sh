#!/usr/bin/env bash
# Serve the documentation site (docs/, mkdocs.yml) on http://127.0.0.1:8000, rebuilt on every
# edit: `bash scripts/docs.sh [mkdocs serve flags]` (or `npm run docs`). Set-up (the `docs`
# group, see scripts/setup.sh) needs the package index only the first time; later runs work
# offline, and the site fetches nothing (no web fonts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --docs
NO_MKDOCS_2_WARNING=1 exec .venv/bin/mkdocs serve "$@"
