"""The time forms of issue 11 as a policy author meets them: what a bad recurring form, a
bad yearly day, a too-frequent cron, a too-long month span are told (located, in zh and en),
and that changing a rule's lateness `measure` while it is in force is a history edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import copy_policy, line_of
from test_history import edited, edits, shipped_texts

import policyengine as pe
from policyengine import PolicyError
from policyengine.policy.history import HISTORY_EDIT, EditKind, history_diagnostics
from policyengine.policy.messages import PolicyValueError
from policyengine.timeparse import parse_span

W1 = "recurring: {weekly: fri, at: morning_end}"


def problems(tmp_path: Path, old: str, new: str, file: str = "duties.yaml") -> list[tuple[
        int, str, str, str]]:
    folder = copy_policy(tmp_path / "policies", [(file, old, new)])
    with pytest.raises(PolicyError) as caught:
        pe.load_policy(folder)
    return [(d.location.line, d.code, d.message, d.message_zh) for d in caught.value.diagnostics]


@pytest.mark.parametrize("written", [
    "recurring: fri",
    "recurring: end_of_working_day",
    "recurring: {named: end_of_working_day}",
    "recurring: {date_field: due, at: end_of_work}",
    "recurring: {}",
    "recurring: {weekly: fri, monthly: 25, at: end_of_work}",
])
def test_a_bad_recurring_form_names_the_forms_an_author_may_write(tmp_path: Path,
                                                                  written: str) -> None:
    [(line, code, message, zh)] = problems(tmp_path, W1, written)
    assert line == line_of(tmp_path / "policies" / "duties.yaml", written)
    assert code == "E-VALUE"
    assert "weekly: fri, monthly: 25" in message and "last_working_day" in message
    assert "yearly:" in message and "cron:" in message
    assert "named" not in message and "named" not in zh
    assert "定期职责必须且只能写一种周期" in zh


@pytest.mark.parametrize(("written", "code", "words"), [
    ('recurring: {yearly: {from: "13-01", to: "03-30"}, at: end_of_work}', "E-VALUE",
     "'13-01' is not a day of the year"),
    ('recurring: {yearly: {from: "02-30", to: "03-30"}, at: end_of_work}', "E-VALUE",
     "'02-30' is not a day of the year"),
    ("recurring: {monthly: 32, at: end_of_work}", "E-VALUE", "'32' is not a day of the month"),
    ("recurring: {monthly: 25}", "E-VALUE", "say the time with 'at'"),
    ('recurring: {cron: "* 18 * * 5"}', "E-TOO-LARGE", "more than one time an hour"),
    ('recurring: {cron: "0 18 * * 5", at: end_of_work}', "E-VALUE", "'at' is used only"),
    ('recurring: {cron: "0 18 * * 5", if_not_working_day: next_working_day}', "E-VALUE",
     "kept as written"),
    ("recurring: {monthly: last_working_day, at: end_of_work, "
     "if_not_working_day: next_working_day}", "E-VALUE", "a working day already"),
])
def test_recurring_shapes_are_checked(tmp_path: Path, written: str, code: str,
                                      words: str) -> None:
    found = problems(tmp_path, W1, written)
    assert any(c == code and words in m for _, c, m, _ in found), found


def test_february_29_is_a_yearly_day(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "policies", [
        ("duties.yaml", W1, 'recurring: {yearly: {from: "02-01", to: "02-29"}, at: end_of_work}')])
    policy = pe.load_policy(folder)
    rule = policy.duties["W1"].recurring
    assert rule is not None
    # 2026 is a common year: the window is due 02-28 (a worked Saturday in 2026)
    from helpers import at
    assert rule.due_of(rule.first_at_or_after(at("2026-01-05 09:00")), None) == \
        at("2026-02-28 18:00")


@pytest.mark.parametrize(("text", "code"), [
    ("121 months", "E-TOO-LARGE"), ("11 years", "E-TOO-LARGE"),
    ("99999999999 years", "E-TOO-LARGE"), ("0 months", "E-VALUE")])
def test_month_spans_have_limits(text: str, code: str) -> None:
    with pytest.raises(PolicyValueError) as caught:
        parse_span(text)
    assert caught.value.code == code


def test_a_month_span_in_a_duty_loads_and_a_grace_refuses_it(tmp_path: Path) -> None:
    found = problems(tmp_path, "immediately_grace: 30m", "immediately_grace: 6 months",
                     "policy.yaml")
    assert any("working days or months" in m for _, _, m, _ in found), found


def test_a_changed_measure_of_a_rule_in_force_is_a_history_edit() -> None:
    new = edited(penalties=("measure: calendar_time", "measure: working_time"))
    [edit] = edits(shipped_texts(), new)
    assert (edit.kind, edit.where, edit.old, edit.new, edit.effective) == (
        EditKind.MEASURE, "penalties.P6.measure", "calendar_time", "working_time",
        date(2014, 7, 1))
    assert edit.location.line == line_of_text(new["policies/penalties.yaml"],
                                              "measure: working_time")
    [diagnostic] = history_diagnostics([edit], date(2026, 11, 30))
    assert diagnostic.code == HISTORY_EDIT
    assert "was calendar_time, now working_time" in diagnostic.message
    assert "另写一条罚则" in diagnostic.message_zh


def test_a_measure_of_a_rule_not_yet_in_force_may_change() -> None:
    # P6's only version is from 2014: as of a day before it nothing was evaluated
    new = edited(penalties=("measure: calendar_time", "measure: working_time"))
    assert edits(shipped_texts(), new, today=date(2014, 6, 30)) == []


def line_of_text(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_stating_the_default_measure_is_not_a_history_edit() -> None:
    # the shipped P6 gained `measure: calendar_time`, which was already its reading
    old = edited(penalties=("    measure: calendar_time\n", ""))
    assert "measure: calendar_time" not in old["policies/penalties.yaml"]
    assert edits(old, shipped_texts()) == []
