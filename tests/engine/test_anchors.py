"""Deadlines that run from another fact: `deadline: {within: 1h, from: {fact: meeting.ended,
join: meeting}}` (R4, R5, R17 of the shipped pack: 会后, after the decision meeting).

Every expected time is worked out by hand in the comment beside it. The meeting of Sat 10-17
runs 10:00-11:00; Sat 10-17 is not a working day (R4's two working days are Mon 10-19 and
Tue 10-20)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    BOSS,
    COLLECTOR,
    REPORTER,
    at,
    copy_policy,
    fact,
    october_base,
    of,
    run,
    shipped,
)

import policyengine as pe
from policyengine import Fact, PolicyError
from policyengine.policy.loader import load_policy_files

REQ = "26101201"
MEETING = "M20261017"


def decided(when: str, case: str = REQ, decision: str = "dont", **attrs: str) -> Fact:
    tier = {"tier": "B"} if decision in ("do", "transform") else {}
    return fact("decision.made", when, case=case, actor=BOSS, decision=decision, **tier,
                **attrs)


def ended(when: str, meeting: str = MEETING) -> Fact:
    return fact("meeting.ended", when, actor=BOSS, meeting=meeting)


def notified(when: str, case: str = REQ) -> Fact:
    return fact("reporter.notified", when, case=case, actor=COLLECTOR, about="decision")


def base(case: str = REQ) -> list[Fact]:
    return [*october_base(), fact("requirement.raised", "2026-10-12 09:30", case=case,
                                  actor=REPORTER, requester="王医生")]


def r5(facts: list[Fact], as_of: str = "2026-10-17 18:00") -> pe.Violation | None:
    found = of(run(facts, None, as_of=as_of), "R5")
    return found[0] if found else None


def test_the_meeting_end_moves_the_deadline_of_its_decisions() -> None:
    # decided 10:40 (due 11:40 from the decision); the meeting ends 11:00: due 11:00 + 1h =
    # 12:00. Notified 11:55: on time (it would be 15 min late from the decision).
    facts = [*base(), decided("2026-10-17 10:40", meeting=MEETING), ended("2026-10-17 11:00"),
             notified("2026-10-17 11:55")]
    assert r5(facts) is None
    # notified 12:05: 5 min late, and the explanation says where the deadline ran from
    late = r5([*facts[:-1], notified("2026-10-17 12:05")])
    assert late is not None
    assert (late.due, late.late_by.total_seconds()) == (at("2026-10-17 12:00"), 300)
    english = [step.render("en") for step in late.explain()]
    assert any(s.startswith("the deadline runs from meeting.ended") and "meeting = M20261017"
               in s for s in english), english
    assert any("moved from 2026-10-17 11:40 (Sat) to 2026-10-17 12:00 (Sat)" in s
               for s in english), english
    assert "2026-10-17 11:00 (Sat) + 1h = 2026-10-17 12:00 (Sat)" in english
    chinese = [step.render("zh") for step in late.explain()]
    assert any("期限从" in s and "起算" in s for s in chinese), chinese


def test_without_a_meeting_end_the_deadline_runs_from_the_decision() -> None:
    # meeting id but no meeting.ended: 10:40 + 1h = 11:40; notified 12:05 -> 25 min late
    late = r5([*base(), decided("2026-10-17 10:40", meeting=MEETING),
               notified("2026-10-17 12:05")])
    assert late is not None and late.due == at("2026-10-17 11:40")
    english = [step.render("en") for step in late.explain()]
    assert ("no meeting.ended with meeting = M20261017 was known: the deadline runs from the "
            "trigger") in english
    # no meeting id at all: the same deadline, and the explanation says why
    late = r5([*base(), decided("2026-10-17 10:40"), ended("2026-10-17 11:00"),
               notified("2026-10-17 12:05")])
    assert late is not None and late.due == at("2026-10-17 11:40")
    assert any(step.render("en").startswith("the trigger has no meeting")
               for step in late.explain())


def test_another_meetings_end_does_not_count() -> None:
    # the meeting of 10-10 ended, not the decision's: from the decision, due 11:40
    late = r5([*base(), ended("2026-10-10 11:00", "M20261010"),
               decided("2026-10-17 10:40", meeting=MEETING), notified("2026-10-17 12:05")])
    assert late is not None and late.due == at("2026-10-17 11:40")


def test_an_anchor_known_before_the_decision_times_it_at_once() -> None:
    # the decision is recorded at 11:10, after the meeting's end (11:00) was: due 12:00 from
    # the start, with no "moved" line in its history
    late = r5([*base(), ended("2026-10-17 11:00"), decided("2026-10-17 11:10", meeting=MEETING),
               notified("2026-10-17 12:30")])
    assert late is not None and late.due == at("2026-10-17 12:00")
    english = [step.render("en") for step in late.explain()]
    assert not any("moved from" in s for s in english), english
    assert any(s.startswith("the deadline runs from meeting.ended") for s in english)


def test_the_latest_meeting_end_counts() -> None:
    # a corrected end (11:30 after 11:00): due 11:30 + 1h = 12:30; notified 12:35 -> 5 min late
    late = r5([*base(), decided("2026-10-17 10:40", meeting=MEETING), ended("2026-10-17 11:00"),
               ended("2026-10-17 11:30"), notified("2026-10-17 12:35")])
    assert late is not None
    assert (late.due, late.late_by.total_seconds()) == (at("2026-10-17 12:30"), 300)


def test_a_notice_sent_before_an_overrunning_meeting_ended_is_on_time() -> None:
    # decided 10:00 (due 11:00 from the decision), notified 11:15, the meeting ends 11:30:
    # the notice came before the meeting's end, so within an hour after it (due 12:30)
    assert r5([*base(), decided("2026-10-17 10:00", meeting=MEETING), notified("2026-10-17 11:15"),
               ended("2026-10-17 11:30")]) is None


def test_r4_and_r17_run_from_the_meeting_end_too() -> None:
    # a meeting that ended after end of work on Fri 10-16 (18:30): R4, two working days after
    # the end's date: Mon 10-19, Tue 10-20 -> Tue 10-20 18:00 (from the decision, 17:50 on
    # 10-16, the same). R17: 18:30 + 1h = 19:30; told 19:20 -> on time (from the decision,
    # 17:50 + 1h = 18:50, it would be 30 min late).
    facts = [*base(), decided("2026-10-16 17:50", decision="do", meeting="M20261016"),
             ended("2026-10-16 18:30", "M20261016"),
             fact("it_lead.notified", "2026-10-16 19:20", case=REQ, actor=COLLECTOR)]
    result = run(facts, None, as_of="2026-10-21 09:00")
    assert of(result, "R17") == []
    [r4] = of(result, "R4")
    assert r4.due == at("2026-10-20 18:00")


def test_one_meeting_end_times_every_case_with_any_number_of_workers() -> None:
    # six decisions of one meeting, in six cases: each notified 11:50 (on time from the end at
    # 11:00, 12:00; late from decisions made before 10:50)
    cases = [f"261012{n:02d}" for n in range(1, 7)]
    facts = [*october_base(), ended("2026-10-17 11:00")]
    for n, case in enumerate(cases):
        facts += [fact("requirement.raised", "2026-10-12 09:30", case=case, actor=REPORTER,
                       requester="王医生"),
                  decided(f"2026-10-17 10:{10 * n:02d}", case=case, meeting=MEETING),
                  notified("2026-10-17 11:50", case=case)]
    one = pe.evaluate(shipped(), facts, period="2026-10")
    assert [v for v in one.violations if v.duty == "R5"] == []
    for workers in (2, 3):
        split = pe.evaluate(shipped(), facts, period="2026-10", workers=workers)
        assert split.to_dict() == one.to_dict()


# -- the policy file ------------------------------------------------------------------------

R5_DEADLINE = ("    fulfilled_by: {fact: reporter.notified, where: {about: decision}}\n"
               "    deadline: {within: 1h, from: {fact: meeting.ended, join: meeting}}")


def problems(tmp_path: Path, new: str, file: str = "duties.yaml",
             old: str = R5_DEADLINE) -> list[str]:
    folder = copy_policy(tmp_path / "p", [(file, old, new)])
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    return [f"{d.code}: {d.message}" for d in caught.value.diagnostics]


def test_an_unknown_anchor_type_is_located(tmp_path: Path) -> None:
    [found] = problems(tmp_path, R5_DEADLINE.replace("meeting.ended", "meeting.endd"))
    assert found.startswith("E-UNKNOWN-FACT-TYPE") and "meeting.ended" in found


def test_a_join_the_anchor_lacks_is_located(tmp_path: Path) -> None:
    [found] = problems(tmp_path, R5_DEADLINE.replace("join: meeting", "join: meting"))
    assert found.startswith("E-UNKNOWN-ATTRIBUTE")
    assert "'meting' is not an attribute of meeting.ended" in found and "'meeting'" in found


def test_a_join_the_trigger_lacks_is_located(tmp_path: Path) -> None:
    # decision.made without its `meeting` attribute: R4, R5 and R17 cannot join
    found = problems(tmp_path, "", "vocabulary.yaml",
                       '      meeting: {type: text, name: 决策会议, description: '
                       '"the meeting\'s id, e.g. M20261010; R4, R5\n                and R17 run '
                       'from that meeting\'s end (meeting.ended)"}\n')
    assert len(found) == 3
    assert all(f.startswith("E-FROM-JOIN") for f in found), found
    assert "the trigger decision.made has no attribute 'meeting'" in found[0]


def test_a_committed_date_runs_from_no_fact(tmp_path: Path) -> None:
    found = problems(tmp_path, "    fulfilled_by: plan.delivered\n"
                     "    deadline: {by: {date_field: due, at: end_of_work}, from: "
                     "{fact: meeting.ended, join: meeting}}",
                     old="    fulfilled_by: plan.delivered\n"
                         "    deadline: {by: {date_field: due, at: end_of_work}}")
    assert any(f.startswith("E-VALUE") and "remove 'from'" in f for f in found), found


def test_the_version_in_force_on_the_decisions_date_says_where_it_runs_from(
        tmp_path: Path) -> None:
    # R5 runs from the decision until 10-16, from the meeting's end from 10-17 on
    folder = copy_policy(tmp_path / "p", [("duties.yaml", R5_DEADLINE,
                                           R5_DEADLINE.split("\n")[0] + "\n"
                                           "    deadline: {within: 1h}\n    deadline_changes:\n"
                                           "      - {effective: 2026-10-17, within: 1h, from: "
                                           "{fact: meeting.ended, join: meeting}}")])
    policy = pe.load_policy(folder)
    earlier = [*base(), decided("2026-10-10 10:40", meeting="M20261010"),
               ended("2026-10-10 11:00", "M20261010"), notified("2026-10-10 11:50")]
    [late] = of(run(earlier, None, as_of="2026-10-10 18:00", policy=policy), "R5")
    assert late.due == at("2026-10-10 11:40")                  # from the decision
    later = [*base(), decided("2026-10-17 10:40", meeting=MEETING), ended("2026-10-17 11:00"),
             notified("2026-10-17 11:50")]
    assert of(run(later, None, as_of="2026-10-17 18:00", policy=policy), "R5") == []  # 12:00
