#!/usr/bin/env bash
# CI: install from scratch (make does it: the engine's hot modules compiled with mypyc), lint
# and type-check, check the shipped policy, then run the README's test command, and the
# engine's parity tests once more on the pure Python sources.
set -euo pipefail
cd "$(dirname "$0")/.."
# The optional Dask extra too: tests/engine/test_cluster.py runs `evaluate --engine dask` on
# a local cluster of 2 worker processes (it is skipped only where Dask is not installed).
# Installed with the rest by make's one install (each install compiles the engine again);
# a .venv made before without it gets it here.
export EXTRAS=dev,dask
:
.venv/bin/python -c 'import dask.distributed' 2>/dev/null || .venv/bin/pip install --quiet -e '.[dask]'
:
# The service tests run against SQLite and a real PostgreSQL, started here and stopped on
# exit, pass or fail (a cluster that was already running is left running).
bash .ci/postgres.sh running || trap 'bash .ci/postgres.sh stop' EXIT
POLICYENGINE_TEST_PG_URL="$(bash .ci/postgres.sh)"; export POLICYENGINE_TEST_PG_URL
bash .ci/desktop.sh   # chromium, LibreOffice and CJK fonts: the page and file tests
bash .ci/postgres.sh running && echo SEEN-RUNNING; false
# The same install, the compiled modules' Python sources imported instead (policyengine/
# native.py): the engine and reader tests must pass both ways (docs/decisions.md D39).
POLICYENGINE_PURE=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/engine tests/facts
