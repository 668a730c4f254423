"""The warmer (service/warmer.py): the stored facts read and the changed cases replayed once
ingest pauses, so neither the next read nor the next start waits for them (issue 10)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from service_support import make_config, sample_facts
from test_service_cases import reads_kept_after_restart, store

from policyengine.service.state import Service
from policyengine.service.warmer import Warmer


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "not within the time given"
        time.sleep(0.01)


def test_the_warmer_waits_for_ingest_to_pause() -> None:
    warmed: list[float] = []
    lock = threading.Lock()

    def warm() -> None:
        with lock:
            warmed.append(time.monotonic())

    warmer = Warmer(warm, idle=1.0)
    warmer.notify()  # not started: nothing happens
    time.sleep(0.1)
    assert warmed == []
    warmer.start()  # the start-up warm-up, at once
    wait_for(lambda: len(warmed) == 1)
    # Facts keep coming (a bulk load's batches): no warm-up until they pause.
    for _ in range(15):
        last = time.monotonic()
        warmer.notify()
        time.sleep(0.02)
    assert len(warmed) == 1
    wait_for(lambda: len(warmed) == 2)
    assert warmed[1] - last >= 1.0
    assert warmer.runs == 2
    warmer.stop()
    warmer.notify()
    time.sleep(1.3)
    assert len(warmed) == 2


def test_a_warm_up_that_fails_is_said_and_the_next_one_runs() -> None:
    calls: list[int] = []

    def warm() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the store is down")

    warmer = Warmer(warm, idle=0.05)
    warmer.start()
    wait_for(lambda: len(calls) == 1)
    warmer.notify()
    wait_for(lambda: len(calls) == 2)
    assert warmer.runs == 1  # the one that did not fail
    warmer.stop()


def test_facts_left_alone_after_ingest_have_their_outcomes_kept(tmp_path: Path) -> None:
    """Stored, then nobody reads: once ingest pauses the warmer replays the cases and their
    outcomes are written, so a restart replays nothing. Without it, nothing was kept until
    a read came."""
    facts = sample_facts()
    cold = make_config(str(tmp_path / "cold.db"))
    svc = Service(cold)
    try:
        store(svc, facts)  # the warmer not started (tests, the library): no warm-up
        time.sleep(0.3)
        assert svc.warmer.runs == 0
    finally:
        svc.close()
    svc = Service(cold)
    try:
        book = svc.live.results.book
        assert book is not None
        svc.live.results.warm()
        assert not book.restored and book.replays > 0  # every case replayed at the read
    finally:
        svc.close()

    config = make_config(str(tmp_path / "warm.db"))
    svc = Service(config)
    try:
        svc.warmer.idle = 0.1
        svc.warmer.start()
        wait_for(lambda: svc.warmer.runs == 1)  # start-up: nothing stored yet
        store(svc, facts)  # one notice: one warm-up once the pause is long enough
        wait_for(lambda: svc.warmer.runs == 2)
        book = svc.live.results.book
        assert book is not None and not book.dirty and book.replays > 0
        svc.live.results.flush()
    finally:
        svc.close()
    reads_kept_after_restart(config)
