"""Files that hold secrets or facts are the owner's alone: created 0600, checked at start.

The tokens file holds secrets and the SQLite file holds every fact (names, cases, times):
neither should be readable by the group or by others. New files are created with mode 0600
from the start (`os.open`, not a later chmod, so there is no moment when they are open to
all); the service warns about, or with `--strict-permissions` refuses, older files that are.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE = 0o600
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist (an existing file is kept)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return
    os.close(fd)


def append_private(path: Path, text: str) -> bool:
    """Append `text` to `path`, creating it 0600; an existing file open to the group or to
    others is tightened to 0600 first (True then), since a secret is about to be added to it.

    Raises OSError (e.g. PermissionError when the file is not ours to chmod).
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
    try:
        tightened = False
        if stat.S_IMODE(os.fstat(fd).st_mode) & _OPEN_TO_OTHERS:
            os.fchmod(fd, PRIVATE)
            tightened = True
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return tightened


def open_to_others(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    """The existing files among `paths` that the group or others may read or write, with
    their modes."""
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & _OPEN_TO_OTHERS:
            found.append((path, mode))
    return found


def sqlite_files(database: Path) -> list[Path]:
    """The database file and the write-ahead log and shared-memory files beside it."""
    return [database, database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm")]
