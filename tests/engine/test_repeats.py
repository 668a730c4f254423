"""A duty is owed once per case at a time: repeated triggers are noted, not owed twice."""

from __future__ import annotations

from decimal import Decimal

from helpers import COLLECTOR, PM, REPORTER, amount, fact, october_base, of, run


def test_a_second_estimate_without_a_delay_does_not_owe_c1_twice_nor_move_it() -> None:
    # plan.estimated Mon 10-12 10:00 due 10-16; again Wed 10-14 due 10-20 (no delay request).
    # The first C1 stays: due Fri 10-16 18:00. Delivered Mon 10-19 10:00: 2 days 16 hours
    # late -> over 1d, up to 7d -> P6 100 (one C1 duty, and not the later date).
    facts = [*october_base(),
             fact("plan.estimated", "2026-10-12 10:00", case="26100901", actor=PM,
                  due="2026-10-16"),
             fact("plan.estimated", "2026-10-14 10:00", case="26100901", actor=PM,
                  due="2026-10-20"),
             fact("plan.delivered", "2026-10-19 10:00", case="26100901", actor=PM)]
    result = run(facts)
    [c1] = of(result, "C1")
    assert c1.due.isoformat() == "2026-10-16T18:00:00+08:00"
    assert c1.late_by.total_seconds() == (2 * 24 + 16) * 3600
    assert amount(result, PM) == Decimal(100)
    assert any("already open" in note.render() for note in result.notes)


def test_two_notices_then_one_customer_call_owe_r6_once() -> None:
    # reporter.notified about decision twice (Mon 10-12 10:00 and 11:00), requester.informed
    # once at 15:00: R6 due Mon 10-12 18:00, met once. (R1 of the case, never reported, is
    # another matter.)
    facts = [*october_base(),
             fact("requirement.raised", "2026-10-09 10:00", case="26100901", actor=REPORTER),
             fact("reporter.notified", "2026-10-12 10:00", case="26100901", actor=COLLECTOR,
                  about="decision"),
             fact("reporter.notified", "2026-10-12 11:00", case="26100901", actor=COLLECTOR,
                  about="decision"),
             fact("requester.informed", "2026-10-12 15:00", case="26100901", actor=REPORTER,
                  about="decision")]
    result = run(facts)
    assert of(result, "R6") == []
    assert [o.duty for o in result.obligations if o.case == "26100901"] == ["R1"]
