"""Kinds and statuses are compared as the enums of policyengine/kinds.py, not as text, in
the report and BDD layers (a renamed kind then fails in mypy, not silently at run time)."""

from __future__ import annotations

import re
from pathlib import Path

import policyengine

PACKAGE = Path(policyengine.__file__).parent
WORDS = ("monthly_count|early_merit|late|missed|met|open|pending|prohibited|per_instance|"
         "lateness|on_time|no_omission|early_major|capped_per_instance")
# `which == "pending"` (a CSV table's name) is not a status: only what a kind is read from.
COMPARED_AS_TEXT = re.compile(rf"(schedule|kind|status)\w* *(==|!=) *\"({WORDS})\"")


def test_no_kind_or_status_is_compared_as_text_in_report_or_bdd() -> None:
    found = [f"{path.relative_to(PACKAGE)}:{n}: {text.strip()}"
             for area in ("report", "bdd")
             for path in sorted((PACKAGE / area).rglob("*.py"))
             for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if COMPARED_AS_TEXT.search(text)]
    assert found == []
