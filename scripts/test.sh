#!/usr/bin/env bash
# Runs every test: set-up, lint and type checks, unit tests (node:test),
# oracle tests (pytest), end-to-end tests (Galata in Debian's Chromium).
# Ends with one line `N passed, N failed[, N skipped]` across all runners and
# exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${NBPROV_VENV:-$PWD/.venv}
export NBPROV_VENV=$VENV
export PATH="$VENV/bin:$PATH"
REPORTS=test-reports
rm -rf "$REPORTS" && mkdir -p "$REPORTS"

step() { printf '\n== %s\n' "$*"; }

# A named check (lint, type check) reported as one JUnit test case.
check() {
  local name=$1
  shift
  step "$name"
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  printf '%s\n' "$out" | tail -n 40
  python3 - "$REPORTS/junit-$name.xml" "$name" "$rc" <<'PY'
import sys
from xml.sax.saxutils import escape
path, name, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = "" if rc == 0 else f'<failure message="exit status {rc}"/>'
open(path, "w").write(f'<testsuites><testsuite name="checks"><testcase classname="checks" name="{escape(name)}">{body}</testcase></testsuite></testsuites>')
PY
}

step "Set-up"
if ! bash scripts/setup.sh --browser; then
  echo "set-up failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

check prettier npx prettier --check .
check eslint npx eslint .
check typecheck-core npx tsc -p tsconfig.core.json
check typecheck-e2e npx tsc -p tsconfig.e2e.json

step "Unit tests (node:test)"
npm run --silent build:test &&
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=junit --test-reporter-destination="$REPORTS/junit-unit.xml" \
    build/test

step "PyTorch for the lineage corpus's training notebook (tests only)"
# Not in requirements-dev.txt, which the README's start command installs too.
# Exactly this version: here it is a CPU build; another pin may pull CUDA's GBs.
"$VENV/bin/pip" install -q --disable-pip-version-check torch==2.13.0 ||
  echo "torch==2.13.0 was not installed: test/lineage's training notebook will fail" >&2

step "Python tests (pytest: oracles, the agent around a real kernel, the lineage corpus)"
python -m pytest -q test/oracle test/agent test/lineage --junitxml="$REPORTS/junit-pytest.xml"

step "End-to-end tests (Galata, Chromium)"
npx playwright test

step "Summary"
# Every report is named: a runner that crashed before writing its report
# counts as a failure rather than vanishing from the count.
python3 scripts/summarize.py "$REPORTS"/junit-{prettier,eslint,typecheck-core,typecheck-e2e,unit,pytest,e2e}.xml
