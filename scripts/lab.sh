#!/usr/bin/env bash
# The main job: set up (first run only takes minutes), then start JupyterLab
# with the extension and the demo notebook open. Extra arguments go to
# `jupyter lab` (for example --port 9999 or --no-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV=${NBPROV_VENV:-$PWD/.venv}
cd demo
ROOT_FLAG=()
[ "$(id -u)" != 0 ] || ROOT_FLAG=(--allow-root)
exec "$VENV/bin/jupyter" lab "${ROOT_FLAG[@]}" train.ipynb "$@"
