"""The thread that writes the case book's kept outcomes to the database (`OutcomeWriter`),
gathering what reads hand over while facts keep coming (docs/decisions.md D41)."""

from __future__ import annotations

import logging
import threading
import time

from policyengine.service.store import CaseOutcome, Store

log = logging.getLogger("policyengine.service")


class OutcomeWriter:
    """Writes kept case outcomes in a thread of its own, in the order handed over. A write
    that fails is logged and `failed` is set: the book then writes every case again (the
    stamp of a later write must never cover a lost row; later writes queued meanwhile are
    dropped). Not started until there is something to write.

    The outcomes are a cache of the facts (lost ones are replayed again), so they are not
    written after each read: what is handed over while facts keep coming is gathered and
    written once they pause (`_IDLE`), at most `_MOST` seconds after the first of them was
    handed over. One transaction and
    one fsync then serve many reads, instead of one beside each next read (at 1M facts a
    write per read overlapped 192 of 200 reads after a fresh ingest, and the reads beside
    one took twice their CPU time: docs/decisions.md). A write that drops every row (the
    first, after every case was replayed) is not held back: it is the big one, and waits
    for nothing more to gather."""

    _IDLE = 0.25   # seconds without a new hand-over before writing
    _MOST = 10.0   # seconds the first row handed over may wait

    def __init__(self, store: Store | None):
        self.store = store
        self.failed = False
        self._queue: list[tuple[str, int, list[CaseOutcome], bool]] = []
        self._ready = threading.Condition()
        self._busy = False
        self._hurry = False
        self._last_put = 0.0
        self._first_put = 0.0   # when the oldest write waiting was handed over
        self._thread: threading.Thread | None = None

    def put(self, key: str, seq: int, rows: list[CaseOutcome], *, reset: bool) -> None:
        with self._ready:
            if self.failed and not reset:
                # A write failed after the book last looked: this one's later stamp would
                # cover the lost rows. Dropped; the book's next hand-over writes every case.
                return
            if not self._queue:
                self._first_put = time.monotonic()
            self._queue.append((key, seq, rows, reset))
            self._last_put = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outcomes",
                                                daemon=True)
                self._thread.start()
            self._ready.notify_all()

    def flush(self) -> None:
        with self._ready:
            self._hurry = True
            self._ready.notify_all()
            while self._queue or self._busy:
                self._ready.wait(0.1)
            self._hurry = False

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                # The cap counts from the oldest write waiting, not from waking: writes
                # handed over while the last one was being written have waited already.
                first = self._first_put
                while not self._hurry and not any(item[3] for item in self._queue):
                    now = time.monotonic()
                    wait = min(self._last_put + self._IDLE, first + self._MOST) - now
                    if wait <= 0:
                        break
                    self._ready.wait(wait)
                key, seq, rows, reset = gathered(self._queue)
                self._queue.clear()
                self._busy = True
            try:
                assert self.store is not None
                written = self.store.outcomes_write(key, seq, rows, reset=reset)
            except Exception as exc:  # logged; the book writes every case again
                log.warning("the cases' outcomes were not kept: %s", exc)
                written = False
            with self._ready:
                if not written:
                    self.failed = True
                    self._queue.clear()
                self._busy = False
                self._ready.notify_all()


def gathered(queue: list[tuple[str, int, list[CaseOutcome], bool]]
              ) -> tuple[str, int, list[CaseOutcome], bool]:
    """The writes handed over, as one: from the last that drops every row (`reset`) on,
    each case's latest row, under the last key and stamp."""
    resets = [number for number, (_, _, _, reset) in enumerate(queue) if reset]
    since = resets[-1] if resets else 0
    latest: dict[str, CaseOutcome] = {}
    for _, _, rows, _ in queue[since:]:
        for row in rows:
            latest.pop(row.case, None)
            latest[row.case] = row
    key, seq, _, _ = queue[-1]
    return key, seq, list(latest.values()), bool(resets)
