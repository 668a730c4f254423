"""The order flow pack's sample month against its hand-computed ledger
(samples/order-flow/README.md, "Expected results for October 2026"): every figure below is
copied from that ledger, not from the engine; the checks every ledger shares are in
ledger.py."""

from __future__ import annotations

from ledger import OPEN, Ledger, LedgerChecks

from policyengine import EvaluationResult

LEDGER = Ledger(
    pack="order-flow",
    facts=29,
    # (duty, case, person, due, done, late by, penalty, amount): the ledger's violation table
    violations=[
        ("OF1", "DD261002", "李娜", "2026-10-10 18:00", "2026-10-12 11:00", "1d17h", "OFP1", 50),
        ("OF2", "DD261002", "陈静", "2026-10-15 18:00", "2026-10-16 09:30", "15h30m", "OFP2", 50),
        ("OF3", "DD261002", "刘总", "2026-10-20 18:00", "2026-10-22 10:00", "1d16h", "OFP2", 100),
        ("OF4", "DD261002", "陈静", "2026-10-23 18:00", "2026-10-26 09:00", "2d15h", "OFP1", 50),
        ("OF6", "DD261004", "孙强", "2026-10-26 18:00", "2026-10-27 10:00", "16h", "OFP1", 50),
        ("OF5", "DD261002", "孙强", "2026-10-28 18:00", OPEN, "3d6h", "OFP2", 100),
    ],
    # person -> (violations, amount): the ledger's totals
    totals={"孙强": (2, 150), "陈静": (2, 100), "刘总": (1, 100), "李娜": (1, 50)},
    total=400,
    # ledger, last paragraph: only DD261005's registration waits
    waiting=frozenset({("OF1", "DD261005", "张伟", "2026-11-02 18:00")}),
)


class TestOrderFlowLedger(LedgerChecks):
    ledger = LEDGER

    def test_exempt_orders_owe_no_review_and_only_the_leader_signs(
            self, october: EvaluationResult) -> None:
        # DD261003 and DD261004 are registered review: exempt (3.1.4): no OF2, no OF3
        reviewed = {v.case for v in october.violations if v.duty in ("OF2", "OF3")}
        assert reviewed <= {"DD261001", "DD261002"}
        assert not [o for o in october.obligations if o.duty in ("OF2", "OF3")]
        # 李副总's sign-off of 10-19 is noted and counts neither for OF3 nor as OF4's trigger
        notes = [note.render("zh") for note in october.notes]
        assert any("李副总" in text and "OF3" in text for text in notes)
