#!/usr/bin/env bash
# Idempotent set-up shared by the README's two commands: a Python venv with
# JupyterLab, the npm packages, and the extension built and pip-installed.
# Usage: scripts/setup.sh [--browser]   (--browser also installs Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${NBPROV_VENV:-$PWD/.venv}

step() { printf '\n== %s\n' "$*"; }

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  step "Installing Debian's chromium for the browser tests"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  step "Creating the Python venv in $VENV"
  python3 -m venv "$VENV"
fi
# This repository's package.json says "type": "module"; Node applies that to
# every .js below it, the venv's included, and JupyterLab's bundled yarn.js
# (CommonJS) then fails at start-up ("Fail to get yarn configuration").
echo '{ "type": "commonjs" }' > "$VENV/package.json"
step "Installing Python packages (requirements-dev.txt)"
"$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt

step "Installing npm packages (npm ci)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

step "Building the extension and installing it with pip"
export PATH="$VENV/bin:$PATH"
npm run --silent build:lib
npm run --silent build:agent
npm run --silent build:labextension >/dev/null
"$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps .
jupyter labextension list 2>&1 | grep -q 'jupyterlab-provenance.*enabled.*OK' || {
  jupyter labextension list
  echo 'jupyterlab-provenance is not installed, enabled and OK' >&2
  exit 1
}
echo "jupyterlab-provenance $(node -p "require('./package.json').version") installed and enabled"
