"""'Did you mean' hints for misspelled names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], limit: int = 1) -> list[str]:
    """The known names nearest to `name`, best first (may be empty)."""
    pool = sorted(set(candidates))
    found = difflib.get_close_matches(name, pool, n=limit, cutoff=0.6)
    if not found:
        lowered = {c.lower(): c for c in pool}
        found = [lowered[m] for m in difflib.get_close_matches(name.lower(), lowered, n=limit)]
    if not found and len(name) <= 3:
        # Two-character Chinese words differ by half when one character is wrong (关与/关于).
        found = difflib.get_close_matches(name, pool, n=limit, cutoff=0.5)
    return found


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A sentence to append to an error message, or ''."""
    pool = sorted(set(candidates))
    match = closest(name, pool)
    if match:
        return f"; did you mean '{match[0]}'?"
    if pool and len(pool) <= 12:
        return "; expected one of: " + ", ".join(pool)
    return ""
