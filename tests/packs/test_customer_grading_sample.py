"""The customer grading pack's sample month against its hand-computed ledger
(samples/customer-grading/README.md, "Expected results for October 2026"): every figure
below is copied from that ledger, not from the engine; the checks every ledger shares are
in ledger.py."""

from __future__ import annotations

from ledger import OPEN, Ledger, LedgerChecks

from policyengine import EvaluationResult

LEDGER = Ledger(
    pack="customer-grading",
    facts=40,
    # (duty, case, person, due, done, late by, penalty, amount): the ledger's violation table
    violations=[
        ("G7", None, "钱芳", "2026-10-08 18:00", "2026-10-09 10:00", "16h", "GP3", 100),
        ("G4", "KH0005", "黄磊", "2026-10-15 18:00", "2026-10-16 10:00", "16h", "GP2", 50),
        ("G2", "KH0002", "林娜", "2026-10-18 15:00", "2026-10-26 11:00", "7d20h", "GP1", 100),
        ("G5", "KH0003", "马超", "2026-10-20 10:00", "2026-10-23 16:00", "3d6h", "GP2", 50),
        ("G6", None, "高峰", "2026-10-20 18:00", "2026-10-22 10:00", "1d16h", "GP3", 100),
        ("G2", "KH0001", "黄磊", "2026-10-29 10:00", OPEN, "2d14h", "GP1", 50),
    ],
    # person -> (violations, amount): the ledger's totals
    totals={"黄磊": (2, 100), "林娜": (1, 100), "高峰": (1, 100),
            "钱芳": (1, 100), "马超": (1, 50)},
    total=450,
    # ledger, last paragraph: nine obligations wait, none overdue besides G2 KH0001 (a
    # violation)
    waiting=frozenset({
        ("G2", "KH0002", "马超", "2026-11-26 11:00"),
        ("G2", "KH0005", "黄磊", "2026-11-21 10:00"),
        ("G3", "KH0001", "高峰", "2026-12-28 10:00"),
        ("G3", "KH0002", "高峰", "2026-11-15 10:00"),
        ("G7", None, "钱芳", "2026-11-05 18:00"),
        ("G6", None, "高峰", "2027-01-20 18:00"),
        ("G8", "KH0002", "高峰", "2027-08-15 10:00"),
        ("G8", "KH0001", "高峰", "2027-09-28 10:00"),
        ("G8", "KH0005", "高峰", "2027-09-30 10:00"),
    }),
)


class TestCustomerGradingLedger(LedgerChecks):
    ledger = LEDGER

    def test_a_grade_duties_follow_the_decision_table(self, october: EvaluationResult) -> None:
        # Grades (ledger table): KH0001, KH0002, KH0005 A; KH0003, KH0004 B. Only A customers
        # owe a sales-manager visit (G3), and KH0005's was made (10-21): G3 waits for KH0001,
        # KH0002.
        g3 = {o.case for o in october.obligations if o.duty == "G3"}
        assert g3 == {"KH0001", "KH0002"}
        # KH0004 (B) was visited 10-12: no G2 for it; KH0003 (B) declined an order: no G4
        assert not [o for o in october.obligations if o.case in ("KH0003", "KH0004")]
        assert [v.case for v in october.violations if v.duty == "G4"] == ["KH0005"]
