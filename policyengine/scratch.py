"""Temporary folders of a run (the on-disk sort of a streamed file), named by the process.

A folder's name carries the process id, so a run stopped by a signal can remove its own
folders at once, whatever it was doing (cli/main.py), without a registry that the signal
could find half written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def prefix() -> str:
    """The start of this process's temporary folders' names."""
    return f"policyengine-{os.getpid()}-"


def remove_own() -> None:
    """Remove every temporary folder this process made (and has not removed yet)."""
    for folder in Path(tempfile.gettempdir()).glob(prefix() + "*"):
        shutil.rmtree(folder, ignore_errors=True)
