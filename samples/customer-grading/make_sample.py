#!/usr/bin/env python3
"""Regenerate samples/customer-grading/facts-2026-10.jsonl, the October 2026 sample of the
customer grading pack (policies/customer-grading).

Deterministic: no randomness, no clock, no calendar library. Every time below is written by
hand; README.md beside this script is the ledger that says, duty by duty, which deadlines the
facts meet or miss and what each miss costs. The facts start in March 2026 because some
duties run for months (a new customer is graded after six months; reconciliation is monthly,
the spot check quarterly, the grading review yearly).

    python samples/customer-grading/make_sample.py            # writes facts-2026-10.jsonl
    python samples/customer-grading/make_sample.py -o -       # to stdout
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # samples/: the shared helpers
import sample_files
from sample_files import numbered

MANAGER, DIRECTOR, PROMOTION, FINANCE = "高峰", "罗军", "唐丽", "钱芳"
GM = "周总经理"
HUANG, LIN, MA = "黄磊", "林娜", "马超"   # sales representatives


def review(when: str, sales: str, price: float, rate: float) -> tuple:
    """A 《客户质量等级评估表》: annual sales (money, as text), price ratio and payment rate
    (numbers, as JSON numbers)."""
    return (when, "customer.reviewed", None,
            {"annual_sales": sales, "price_ratio": price, "payment_rate": rate})


def visit(when: str, who: str, kind: str = "visit") -> tuple:
    return (when, "customer.visited", who, {"kind": kind})


ROLES = [("03-20 09:00", "role.assigned", None, GM, {"role": role, "person": person})
         for role, person in (("sales_manager", MANAGER), ("sales_director", DIRECTOR),
                              ("promotion_head", PROMOTION), ("finance", FINANCE))]

CUSTOMERS: dict[str, list[tuple]] = {
    "KH0001": [  # 华东建材: graded A in September, visited once, then only called
        ("04-01 09:30", "account.handed_over", HUANG, {}),
        review("09-28 10:00", "6800000", 0.97, 98),
        visit("09-29 10:00", HUANG),
        visit("10-15 11:00", HUANG, "call"),
    ],
    "KH0002": [  # 西南五金: graded A in August; the October visit is late; handed over
        ("04-01 09:30", "account.handed_over", LIN, {}),
        review("08-15 10:00", "5200000", 0.96, 97),
        visit("08-20 10:00", LIN),
        visit("09-18 15:00", LIN),
        ("10-20 09:00", "account.handed_over", MA, {}),
        visit("10-26 11:00", MA),
    ],
    "KH0003": [  # 蓝天装饰: a new customer, graded (B) three days after its six months
        ("04-20 10:00", "customer.onboarded", MA, {"customer_name": "蓝天装饰"}),
        review("10-23 16:00", "800000.00", 0.92, 99),
        ("10-26 14:00", "order.declined", MA, {"amount": "120000"}),
    ],
    "KH0004": [  # 恒通贸易: large sales but a low price: B, so its visits owe nothing
        ("04-01 09:30", "account.handed_over", HUANG, {}),
        review("10-09 10:00", "5500000", 0.90, 96),
        visit("10-12 10:00", HUANG),
    ],
    "KH0005": [  # 大华集团: A; two orders declined; the sales manager visits
        ("04-01 09:30", "account.handed_over", HUANG, {}),
        review("09-30 10:00", "12000000", 1.00, 99),
        visit("10-08 10:00", HUANG),
        ("10-14 10:00", "order.declined", HUANG, {"amount": "350000"}),
        ("10-15 09:00", "decline.confirmed", MANAGER, {}),
        ("10-16 10:00", "decline.confirmed", DIRECTOR, {}),
        visit("10-21 10:00", MANAGER),
        ("10-22 15:00", "order.declined", HUANG, {"amount": "90000"}),
        ("10-23 11:00", "decline.confirmed", GM, {}),
    ],
}

CASELESS = [
    ("03-27 10:00", "grading.meeting_held", PROMOTION),
    *[(when, "reconciliation.done", FINANCE)
      for when in ("04-03 10:00", "05-06 10:00", "06-03 10:00", "07-03 10:00", "08-04 10:00",
                   "09-03 10:00", "10-09 10:00")],
    *[(when, "spot_check.done", MANAGER) for when in ("04-16 10:00", "07-16 10:00", "10-22 10:00")],
]


def build() -> list[dict]:
    rows = [*ROLES, *[(when, kind, None, actor, {}) for when, kind, actor in CASELESS]]
    for case, steps in CUSTOMERS.items():
        rows += [(when, kind, case, actor, attrs) for when, kind, actor, attrs in steps]
    return numbered(rows, "g")


if __name__ == "__main__":
    sys.exit(sample_files.main(build, __doc__, __file__))
