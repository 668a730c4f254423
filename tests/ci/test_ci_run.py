"""`.ci/run` stops the PostgreSQL it started, even when the tests fail.

Runs the PostgreSQL part of `.ci/run` itself (its lint, check and test lines replaced by a
failing command) against a cluster on a port of its own, so a cluster serving other tests
is not touched. Needs PostgreSQL installed (`.ci/postgres.sh` installs it); skipped without.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = "54391"


@pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                    reason="PostgreSQL is not installed (bash .ci/postgres.sh installs it)")
def test_ci_run_stops_the_postgresql_it_started_when_the_tests_fail() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "trap 'bash .ci/postgres.sh stop' EXIT" in script
    part = re.sub(r"^(make lint|\.venv/bin/policyengine check .*)$", ":", script, flags=re.M)
    part = re.sub(r"^make test$", "bash .ci/postgres.sh running && echo SEEN-RUNNING; false",
                  part, flags=re.M)
    assert part.count("SEEN-RUNNING") == 1
    runner = ROOT / ".ci" / f"_test_part_{os.getpid()}.sh"  # .ci/run cds to its parent's parent
    runner.write_text(part, encoding="utf-8")
    # Not under pytest's tmp_path: as root, the cluster runs as `postgres`, who must reach it.
    folder = tempfile.mkdtemp(prefix="pe-ci-run-test-")
    os.chmod(folder, 0o755)
    env = {**os.environ, "PE_PG_PORT": PORT, "PE_PG_DIR": f"{folder}/pg"}
    try:
        done = subprocess.run(["bash", str(runner)], env=env, capture_output=True, text=True,
                              timeout=180)
        after = subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh"), "running"], env=env,
                               capture_output=True, timeout=60)
    finally:
        runner.unlink()
        subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh"), "stop"], env=env,
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    assert done.returncode == 1, done.stderr              # the failing "tests" fail the run
    assert "SEEN-RUNNING" in done.stdout, done.stderr      # PostgreSQL ran during them
    assert after.returncode != 0                          # and is stopped afterwards
    assert "server stopped" in done.stderr
