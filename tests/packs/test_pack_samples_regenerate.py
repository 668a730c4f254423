"""Each new pack's sample file is exactly what its generator writes: the ledger describes the
script's hand-written times, so the committed JSON Lines must not drift from it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import REPO


@pytest.mark.parametrize("pack", ["contract-performance", "customer-grading"])
def test_the_sample_is_what_make_sample_writes(pack: str) -> None:
    folder = REPO / "samples" / pack
    made = subprocess.run([sys.executable, str(folder / "make_sample.py"), "-o", "-"],
                          capture_output=True, check=True, text=True, encoding="utf-8")
    assert made.stdout == (folder / "facts-2026-10.jsonl").read_text(encoding="utf-8")
