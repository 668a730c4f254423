"""The thread that keeps the stored facts read and the changed cases replayed while nobody
reads (`Warmer`): at start-up, and each time ingest pauses.

Without it, the first read after a bulk load did all of that work while its reader waited
(16-27 s at 1M stored facts, by the host), and the cases' outcomes reached the database
only then: a restart before any read found none kept, and replayed everything at its first
read. Now the work is done once ingest has paused for `IDLE` seconds, and the outcomes are
written after it (service/outcome_writer.py). A read arriving meanwhile waits for the
replay as it would have made it itself (`Results.warm` holds the same lock as a read), then
finds it done. A steady stream of facts never pauses that long: each read then settles what
came before it, as before (docs/decisions.md D70).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("policyengine.service")

# Seconds without a new fact stored before the warmer replays: longer than the gap between
# two batches of a bulk load (it would otherwise replay a case again for each batch that
# adds to it), short enough that a person opening a page after a load finds it done.
IDLE = 2.0


class Warmer:
    """Calls `warm` in a thread of its own: once when started, then whenever `notify` was
    called and `idle` seconds have passed since its last call. Not started: `notify` does
    nothing (tests and the library drive their reads themselves)."""

    def __init__(self, warm: Callable[[], None], idle: float = IDLE):
        self._warm = warm
        self.idle = idle
        self._last = 0.0
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # warm-ups done

    def notify(self) -> None:
        """Facts were stored: warm once they stop coming for `idle` seconds."""
        if self._thread is not None:
            self._last = time.monotonic()
            self._wanted.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop = threading.Event()  # its own: a thread stopped before still ending
            self._last = time.monotonic() - self.idle  # the first warm-up at once
            self._wanted.set()
            self._thread = threading.Thread(target=self._run, args=(self._stop,),
                                            name="policyengine-warmer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Asks the thread to end; a warm-up under way is not waited for (its outcomes are
        a cache of the facts: a write lost to the store's closing is replayed later)."""
        self._stop.set()
        self._wanted.set()
        self._thread = None

    def _run(self, stop: threading.Event) -> None:
        wanted = self._wanted
        while not stop.is_set():
            wanted.wait()
            if stop.is_set():
                return
            quiet = time.monotonic() - self._last
            if quiet < self.idle:  # facts still coming: wait for the pause
                stop.wait(self.idle - quiet)
                continue
            wanted.clear()
            try:
                self._warm()
                self.runs += 1
            except Exception:  # the store down, a policy that fails: the next read retries
                log.exception("reading the stored facts and replaying the cases failed")
