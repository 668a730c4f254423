"""History is not rewritten (issue 8): an edit of a dated value already in force is refused
with its file:line and the dated version to add instead; future versions may be edited."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import POLICY_DIR

from policyengine.policy.history import (
    HISTORY_EDIT,
    EditKind,
    HistoryEdit,
    Sources,
    history_diagnostics,
    history_edits,
)
from policyengine.policy.loader import load_policy_texts

TODAY = date(2026, 11, 30)
P2 = """  P2:
    name: 未及时反馈用户需求/bug的修改、完成、变更情况
    name_en: customer not told in time
    clause: 惩罚2 (每次扣绩效20元)
    versions:
      - effective: 2014-07-01
        per_instance: 20
"""
R9_DEADLINE = ("    fulfilled_by: {fact: reporter.notified, where: {about: estimate}}\n"
               "    deadline: {within: 1h}\n")


def shipped_texts() -> dict[str, str]:
    return {f"policies/{p.name}": p.read_text(encoding="utf-8")
            for p in sorted(POLICY_DIR.glob("*.yaml"))}


def edited(**replacements: tuple[str, str]) -> dict[str, str]:
    """The shipped texts with `old -> new` replaced in the named file (penalties=...)."""
    texts = shipped_texts()
    for stem, (old, new) in replacements.items():
        name = f"policies/{stem}.yaml"
        assert texts[name].count(old) == 1, old
        texts[name] = texts[name].replace(old, new)
    return texts


def edits(old: dict[str, str], new: dict[str, str], today: date = TODAY) -> list[HistoryEdit]:
    old_pairs, new_pairs = list(old.items()), list(new.items())
    return history_edits(load_policy_texts(old_pairs), load_policy_texts(new_pairs), today,
                         Sources.parse(new_pairs), Sources.parse(old_pairs))


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_finding_an_amount_in_force_edited_in_place_is_refused() -> None:
    new = edited(penalties=(P2, P2.replace("per_instance: 20", "per_instance: 25")))
    [edit] = edits(shipped_texts(), new)
    assert (edit.kind, edit.where, edit.old, edit.new, edit.effective) == (
        EditKind.CHANGED, "penalties.P2.versions.0.per_instance", "20", "25", date(2014, 7, 1))
    penalties = new["policies/penalties.yaml"]
    assert (edit.location.file, edit.location.line) == (
        "policies/penalties.yaml", line_of(penalties, "per_instance: 25"))
    # what to write instead: the new value under a date still to come
    assert edit.suggestion == ("under penalties.P2.versions:\n"
                               "  - {effective: 2026-12-01, per_instance: 25}\n")
    [diagnostic] = history_diagnostics([edit], TODAY)
    assert diagnostic.code == HISTORY_EDIT
    assert "was 20, now 25" in diagnostic.message
    assert "add a dated version instead" in diagnostic.message


def test_a_tier_bound_in_force_is_history_and_monthly_counts_start_on_a_first() -> None:
    new = edited(penalties=("{from: 6, to: 10, amount: 50}", "{from: 6, to: 9, amount: 50}\n"
                            "          - {from: 10, to: 10, amount: 50}"))
    found = edits(shipped_texts(), new)
    # the tiers are one YAML anchor shared by P3, P4 and P5: each rule's history changed
    assert sorted({e.where.split(".")[1] for e in found}) == ["P3", "P4", "P5"]
    assert all(e.kind is EditKind.CHANGED and e.where.endswith("monthly_count") for e in found)
    assert all("effective: 2026-12-01" in e.suggestion for e in found)   # the next 1st
    december = edits(shipped_texts(), new, today=date(2026, 12, 15))
    assert all("effective: 2027-01-01" in e.suggestion for e in december)


def test_a_lateness_bound_and_a_reward_range_in_force_are_history() -> None:
    new = edited(penalties=("{over: 1d, up_to: 7d, amount: 100}\n          - {over: 7d,",
                            "{over: 1d, up_to: 5d, amount: 100}\n          - {over: 5d,"),
                 rewards=("{effective: 2014-07-01, min: 50, max: 500}",
                          "{effective: 2014-07-01, min: 50, max: 800}"))
    found = {(e.where, e.old, e.new) for e in edits(shipped_texts(), new)}
    assert found == {("penalties.P6.versions.0.lateness.1.up_to", "7d", "5d"),
                     ("penalties.P6.versions.0.lateness.2.over", "7d", "5d"),
                     ("rewards.A3.versions.0.max", "500", "800")}


def test_a_removed_version_in_force_is_refused_with_the_version_to_put_back() -> None:
    two = P2 + "      - effective: 2026-10-01\n        per_instance: 30\n"
    old = edited(penalties=(P2, two))
    [edit] = edits(old, shipped_texts())
    assert (edit.kind, edit.where, edit.effective) == (
        EditKind.REMOVED, "penalties.P2.versions.1", date(2026, 10, 1))
    assert "effective: 2026-10-01" in edit.suggestion and "per_instance: 30" in edit.suggestion
    assert edit.location.file == "policies/penalties.yaml"


def test_a_backdated_version_is_refused_and_a_future_one_is_not() -> None:
    backdated = edited(penalties=(P2, P2 + "      - effective: 2026-11-01\n"
                                            "        per_instance: 30\n"))
    [edit] = edits(shipped_texts(), backdated)
    assert (edit.kind, edit.where, edit.new) == (
        EditKind.BACKDATED, "penalties.P2.versions.1", "2026-11-01")
    assert edit.location.line == line_of(backdated["policies/penalties.yaml"],
                                         "effective: 2026-11-01")
    future = edited(penalties=(P2, P2 + "      - effective: 2027-01-01\n"
                                         "        per_instance: 30\n"))
    assert edits(shipped_texts(), future) == []
    # a future version may be edited freely, and removed
    future_edited = {**future, "policies/penalties.yaml": future["policies/penalties.yaml"]
                     .replace("per_instance: 30", "per_instance: 35")}
    assert edits(future, future_edited) == []
    assert edits(future, shipped_texts()) == []


def test_a_version_effective_today_is_in_force() -> None:
    old = edited(penalties=(P2, P2 + "      - effective: 2026-11-30\n"
                                     "        per_instance: 30\n"))
    new = {**old, "policies/penalties.yaml": old["policies/penalties.yaml"].replace(
        "per_instance: 30", "per_instance: 35")}
    assert [e.where for e in edits(old, new)] == ["penalties.P2.versions.1.per_instance"]
    assert edits(old, new, today=date(2026, 11, 29)) == []


def test_duty_deadlines_in_force_are_history() -> None:
    dated = R9_DEADLINE + "    deadline_changes:\n      - {effective: 2026-10-01, within: 2h}\n"
    old = edited(duties=(R9_DEADLINE, dated))
    new = edited(duties=(R9_DEADLINE, dated.replace("within: 2h", "within: 3h")))
    [edit] = edits(old, new)
    assert (edit.where, edit.old, edit.new) == (
        "duties.R9.deadline_changes.0.within", "2h", "3h")
    assert edit.suggestion == ("under duties.R9.deadline_changes:\n"
                               "  - {effective: 2026-12-01, within: 3h}\n")
    # the base deadline has applied from the start: an edit of it is history too
    base = edited(duties=(R9_DEADLINE, R9_DEADLINE.replace("within: 1h", "within: 90m")))
    [edit] = edits(shipped_texts(), base)
    assert (edit.where, edit.old, edit.new, edit.effective) == (
        "duties.R9.deadline.within", "1h", "1h30m", date.min)
    assert "has applied from the start" in edit.message(TODAY)
    assert "under duties.R9.deadline_changes:" in edit.suggestion
    # the same duration written another way is no edit
    same = edited(duties=(R9_DEADLINE, R9_DEADLINE.replace("within: 1h", "within: 60m")))
    assert edits(shipped_texts(), same) == []


def test_a_new_rule_and_words_around_the_values_are_not_history() -> None:
    p7 = P2.replace("P2:", "P7:").replace("per_instance: 20", "per_instance: 99")
    new = edited(penalties=(P2, P2 + p7),
                 rewards=("name_en: no-omission award", "name_en: the no-omission award"))
    assert edits(shipped_texts(), new) == []


@pytest.mark.parametrize("allowed", [False, True])
def test_an_allowed_edit_is_a_warning(allowed: bool) -> None:
    new = edited(penalties=(P2, P2.replace("per_instance: 20", "per_instance: 25")))
    [diagnostic] = history_diagnostics(edits(shipped_texts(), new), TODAY, allowed=allowed)
    assert diagnostic.code == ("W-HISTORY-EDIT" if allowed else "E-HISTORY-EDIT")
