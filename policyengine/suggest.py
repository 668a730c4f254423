"""'Did you mean' hints for misspelled names."""

from __future__ import annotations

import difflib
import re
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


def completion(name: str, candidates: Iterable[str]) -> str | None:
    """The one known name that `name` begins, or one of whose words (split at - _ .) it is
    (`contract` -> `contract-performance`, `grading` -> `customer-grading`); None when no
    name or several do: a short word is no misspelling, so difflib's ratio misses it."""
    word = name.strip().lower()
    if not word:
        return None
    found = {c for c in candidates
             if c.lower().startswith(word) or word in re.split(r"[-_.]", c.lower())}
    return found.pop() if len(found) == 1 else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A sentence to append to an error message, or ''."""
    pool = sorted(set(candidates))
    match = closest(name, pool)
    if match:
        return f"; did you mean '{match[0]}'?"
    if pool and len(pool) <= 12:
        return "; expected one of: " + ", ".join(pool)
    return ""
