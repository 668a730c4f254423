"""`evaluate --engine dask`: the cases split over a Dask cluster give the very same report,
byte for byte, as one process (engine/cluster.py), on a local cluster of 2 worker
processes started by the command and on one already running (`--scheduler`).

The Dask tests need the optional extra (`pip install -e '.[dask]'`, which .ci/run does);
they are skipped without it. Without it the engine still imports, and `--engine dask` says
how to install it.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS, sample_with_a_2003_fact
from test_workers import generated

from policyengine.cli.main import main
from policyengine.engine import cluster

CLI = Path(sys.executable).parent / "policyengine"
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="Dask is not installed (pip install -e '.[dask]')")


def _evaluate(facts: Path, period: list[str], *options: str) -> bytes:
    done = subprocess.run([str(CLI), "evaluate", "--facts", str(facts), *period, "--format",
                           "json", *options], capture_output=True, cwd=REPO, timeout=300)
    assert done.returncode in (0, 3), done.stderr.decode()
    return done.stdout


@needs_dask
def test_dask_on_a_local_cluster_of_two_workers_gives_the_one_process_report() -> None:
    for facts, period in ((SAMPLE_FACTS, ["--month", "2026-10"]),
                          (generated(), ["--month", "2021-03"])):
        one = _evaluate(facts, period)
        assert b'"violations"' in one
        assert _evaluate(facts, period, "--engine", "dask", "--workers", "2") == one


@needs_dask
def test_dask_on_a_running_scheduler(tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as running:
        address = running.scheduler_address
        one = _evaluate(generated(), ["--quarter", "2021-Q1"])
        assert _evaluate(generated(), ["--quarter", "2021-Q1"], "--engine", "dask",
                         "--scheduler", address) == one
        # more partitions than workers: still the same
        assert _evaluate(generated(), ["--quarter", "2021-Q1"], "--engine", "dask",
                         "--scheduler", address, "--partitions", "5") == one


def test_without_dask_the_engine_imports_and_the_option_says_how_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # A fresh interpreter in which `import distributed` fails: the package and the command
    # line still import, and never import Dask on their own.
    code = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
            "import policyengine, policyengine.cli.main, policyengine.engine.cluster\n"
            "import policyengine.engine.parallel\n"
            "print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
    monkeypatch.setattr(cluster, "dask_installed", lambda: False)
    assert main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--engine", "dask"]) == 2
    err = capsys.readouterr().err
    assert "--engine dask needs Dask" in err and "policyengine[dask]" in err


@needs_dask
def test_an_error_on_dask_is_said_as_by_one_process(tmp_path: Path) -> None:
    path = sample_with_a_2003_fact(tmp_path)
    said = []
    # Dask's default dashboard port held by someone else (another cluster): the run must say
    # nothing of it (it once warned on stderr).
    with _port_held(8787):
        for options in ([], ["--engine", "dask", "--workers", "2"]):
            done = subprocess.run([str(CLI), "evaluate", "--facts", str(path), "--month",
                                   "2026-10", *options], capture_output=True, text=True,
                                  cwd=REPO, timeout=300)
            said.append((done.returncode, done.stdout, done.stderr))
    assert said[0][0] == 3 and "early-one" in said[0][2]
    assert said[1] == said[0]


@contextmanager
def _port_held(port: int) -> Iterator[None]:
    """The port busy while the block runs (held here, or already by another process)."""
    held = socket.socket()
    try:
        held.bind(("", port))
        held.listen()
    except OSError:
        pass  # someone else holds it: busy all the same
    try:
        yield
    finally:
        held.close()
