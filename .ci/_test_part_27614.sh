#!/usr/bin/env bash
# CI: install from scratch (make does it), lint and type-check, check the shipped policy,
# then run the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
:
# The optional Dask extra: tests/engine/test_cluster.py runs `evaluate --engine dask` on a
# local cluster of 2 worker processes (it is skipped only where Dask is not installed).
.venv/bin/pip install --quiet -e '.[dask]'
:
# The service tests run against SQLite and a real PostgreSQL, started here and stopped on
# exit, pass or fail (a cluster that was already running is left running).
bash .ci/postgres.sh running || trap 'bash .ci/postgres.sh stop' EXIT
POLICYENGINE_TEST_PG_URL="$(bash .ci/postgres.sh)"; export POLICYENGINE_TEST_PG_URL
bash .ci/desktop.sh   # chromium, LibreOffice and CJK fonts: the page and file tests
bash .ci/postgres.sh running && echo SEEN-RUNNING; false
