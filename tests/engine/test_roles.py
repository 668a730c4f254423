"""Who answers for a duty (policy-reading.md §2): the reporter is the actor of the case's
requirement.raised / bug.found; an assigned role is its holder at the duty's deadline."""

from __future__ import annotations

from pathlib import Path

from helpers import (
    BOSS,
    COLLECTOR,
    PM,
    REPORTER,
    REPORTER_2,
    at,
    copy_policy,
    fact,
    october_base,
    of,
    roles,
    run,
)

import policyengine as pe
from policyengine import Fact

NEW_COLLECTOR = "王芳"


def handover() -> Fact:
    """杨宝珠 hands the collector role to 王芳 on Mon 10-19 09:00."""
    return fact("role.assigned", "2026-10-19 09:00", actor=BOSS, role="collector",
                person=NEW_COLLECTOR)


def test_collector_duty_due_before_the_handover_is_the_old_holders() -> None:
    # R5: decided Sat 10-17 10:40 -> due 11:40, before Mon 10-19 09:00 -> 杨宝珠.
    facts = [*october_base(), handover(),
             fact("decision.made", "2026-10-17 10:40", case="26101201", actor=BOSS,
                  decision="dont")]
    [v] = of(run(facts), "R5")
    assert (v.due, v.person) == (at("2026-10-17 11:40"), COLLECTOR)


def test_collector_duty_due_after_the_handover_is_the_new_holders() -> None:
    # R5: decided Sat 10-24 10:40 -> due 11:40 -> 王芳.
    facts = [*october_base(), handover(),
             fact("decision.made", "2026-10-24 10:40", case="26101201", actor=BOSS,
                  decision="dont")]
    [v] = of(run(facts), "R5")
    assert (v.due, v.person) == (at("2026-10-24 11:40"), NEW_COLLECTOR)


def test_the_holder_at_the_deadline_answers_not_the_holder_at_the_trigger() -> None:
    # R2: reported Thu 10-15 19:00 (after the cut-off) while 杨宝珠 held the role ->
    # due Fri 10-23 12:00, after the handover -> 王芳.
    # R2: reported Mon 10-12 10:00 -> due Fri 10-16 12:00 -> 杨宝珠 (even though the
    # evaluation runs after the handover).
    facts = [*october_base(), handover(),
             fact("requirement.reported", "2026-10-15 19:00", case="26101501", actor=REPORTER),
             fact("requirement.reported", "2026-10-12 10:00", case="26101201", actor=REPORTER)]
    found = {v.case: (v.due, v.person) for v in of(run(facts), "R2")}
    assert found == {"26101501": (at("2026-10-23 12:00"), NEW_COLLECTOR),
                     "26101201": (at("2026-10-16 12:00"), COLLECTOR)}


def test_a_deadline_exactly_at_the_handover_is_the_new_holders() -> None:
    # 'from at on, person holds role': R14 collector.notified Mon 10-19 08:30 + 30 min
    # = 09:00, the very moment of the handover -> 王芳.
    facts = [*october_base(), handover(),
             fact("collector.notified", "2026-10-19 08:30", case="26101201", actor=PM,
                  about="completion")]
    [v] = of(run(facts), "R14")
    assert (v.due, v.person) == (at("2026-10-19 09:00"), NEW_COLLECTOR)


def test_weekly_reports_follow_the_holder() -> None:
    # No weekly reports from 10-16 on: W1 due Fri 10-16 12:00 -> 杨宝珠; 10-23, 10-30 -> 王芳.
    facts = [*roles("2026-10-01 09:00"), handover(),
             fact("weekly_report.submitted", "2026-10-02 10:00", actor=COLLECTOR),
             fact("weekly_report.submitted", "2026-10-09 10:00", actor=COLLECTOR)]
    found = [(v.due, v.person) for v in of(run(facts), "W1")]
    assert found == [(at("2026-10-16 12:00"), COLLECTOR),
                     (at("2026-10-23 12:00"), NEW_COLLECTOR),
                     (at("2026-10-30 12:00"), NEW_COLLECTOR)]


def test_pm_commitment_made_before_the_handover_due_after_it() -> None:
    # 陈立 commits the plan for Wed 10-21 (C1 due 18:00); 周敏 takes over as PM Mon 10-19
    # 09:00; delivered Thu 10-22 10:00 (16 hours late): the late commitment is 周敏's.
    facts = [*october_base(),
             fact("plan.estimated", "2026-10-14 10:00", case="26101201", actor=PM,
                  due="2026-10-21"),
             fact("role.assigned", "2026-10-19 09:00", actor=BOSS, role="pm", person="周敏"),
             fact("plan.delivered", "2026-10-22 10:00", case="26101201", actor="周敏")]
    [v] = of(run(facts), "C1")
    assert (v.due, v.person) == (at("2026-10-21 18:00"), "周敏")


def test_reporter_is_the_actor_of_requirement_raised() -> None:
    # raised by 李小四, reported by 张三 (on time); R6 (tell the customer of the decision)
    # belongs to 李小四: notified Mon 10-19 10:00 -> due 18:00, customer never told.
    case = "26101201"
    facts = [*october_base(),
             fact("requirement.raised", "2026-10-12 09:00", case=case, actor=REPORTER),
             fact("requirement.reported", "2026-10-12 10:00", case=case, actor=REPORTER_2),
             fact("reporter.notified", "2026-10-19 10:00", case=case, actor=COLLECTOR,
                  about="decision")]
    [v] = of(run(facts), "R6")
    assert (v.due, v.person) == (at("2026-10-19 18:00"), REPORTER)


def test_reporter_of_a_bug_is_the_actor_of_bug_found() -> None:
    # bug found by 张三 Tue 10-13 10:00, fix mail Wed 10-14 11:00 -> B4 due Wed 10-14 18:00.
    case = "B26101301"
    facts = [*october_base(),
             fact("bug.found", "2026-10-13 10:00", case=case, actor=REPORTER_2),
             fact("bug.reported", "2026-10-13 11:00", case=case, actor=REPORTER),
             fact("bug.fixed", "2026-10-14 11:00", case=case, actor="赵强")]
    [v] = of(run(facts), "B4")
    assert (v.due, v.person) == (at("2026-10-14 18:00"), REPORTER_2)


def test_no_reporter_known_leaves_the_person_empty() -> None:
    # B4 for a bug whose bug.found is not in the input: nobody can be named.
    facts = [*october_base(), fact("bug.fixed", "2026-10-14 11:00", case="B26101301",
                                   actor="赵强")]
    [v] = of(run(facts), "B4")
    assert v.person is None


def test_role_never_assigned_leaves_the_person_empty() -> None:
    # No role.assigned facts: R5 (collector) has no holder.
    facts = [fact("decision.made", "2026-10-17 10:40", case="26101201", actor=BOSS,
                  decision="dont")]
    [v] = of(run(facts), "R5")
    assert v.person is None


def test_a_policy_default_holder_until_the_first_assignment(tmp_path: Path) -> None:
    # vocabulary.yaml names 杨宝珠 as the collector's default holder; a role.assigned fact
    # makes 王芳 the collector from Mon 10-19 09:00.
    folder = copy_policy(tmp_path / "policies", [(
        "vocabulary.yaml", "    note: the seed names 杨宝珠",
        "    default: 杨宝珠\n    note: the seed names 杨宝珠")])
    policy = pe.load_policy(folder)
    facts = [fact("decision.made", "2026-10-17 10:40", case="26101701", actor=BOSS,
                  decision="dont", policy=policy),
             fact("decision.made", "2026-10-24 10:40", case="26102401", actor=BOSS,
                  decision="dont", policy=policy),
             fact("role.assigned", "2026-10-19 09:00", actor=BOSS, role="collector",
                  person=NEW_COLLECTOR, policy=policy)]
    found = {v.case: v.person for v in of(run(facts, policy=policy), "R5")}
    assert found == {"26101701": COLLECTOR, "26102401": NEW_COLLECTOR}
