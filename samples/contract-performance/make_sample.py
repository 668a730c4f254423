#!/usr/bin/env python3
"""Regenerate samples/contract-performance/facts-2026-10.jsonl, the October 2026 sample of
the contract performance pack (policies/contract-performance).

Deterministic: no randomness, no clock, no calendar library. Every time below is written by
hand; README.md beside this script is the ledger that says, duty by duty, which deadlines the
facts meet or miss and what each miss costs.

    python samples/contract-performance/make_sample.py            # writes facts-2026-10.jsonl
    python samples/contract-performance/make_sample.py -o -       # to stdout
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # samples/: the shared helpers
import sample_files
from sample_files import numbered

CASHIER, LEGAL, DEPT_HEAD = "吴敏", "何静", "孙伟"
RECEIVER = "周杰"          # 项目部材料员: receives and inspects HT260101's deliveries
LIU, CHEN = "刘洋", "陈刚"  # contract handlers
BOSS, NOT_A_LEADER = "王总", "张经理"


# (when, type, case, actor, attributes); listed per contract, sorted by time when written.
ROLES = [("09-01 09:00", "role.assigned", None, BOSS, {"role": role, "person": person})
         for role, person in (("cashier", CASHIER), ("legal", LEGAL), ("dept_head", DEPT_HEAD))]

HT260101 = [  # steel purchase: three deliveries, two payments
    ("09-10 10:00", "contract.signed", LIU, {"amount": "1200000.00", "payee": "重庆钢材有限公司",
                                             "counterparty": "重庆钢材有限公司"}),
    ("10-08 10:00", "goods.received", RECEIVER, {"delivery_no": "HT260101-1", "value": "400000"}),
    ("10-09 10:00", "payment.made", CASHIER, {"amount": "360000.00", "method": "transfer",
                                              "purpose": "第一批钢筋货款",
                                              "payment_no": "FK2610-01"}),
    ("10-09 15:00", "goods.inspected", RECEIVER, {"delivery_no": "HT260101-1",
                                                  "result": "conforming"}),
    ("10-12 09:30", "goods.received", RECEIVER, {"delivery_no": "HT260101-2", "value": "400000"}),
    ("10-13 16:00", "receipt.obtained", CASHIER, {"kind": "receipt"}),
    ("10-14 14:00", "goods.received", RECEIVER, {"delivery_no": "HT260101-3", "value": "400000"}),
    ("10-16 11:00", "goods.inspected", RECEIVER, {"delivery_no": "HT260101-2",
                                                  "result": "nonconforming"}),
    ("10-19 10:00", "goods.inspected", RECEIVER, {"delivery_no": "HT260101-3",
                                                  "result": "conforming"}),
    ("10-19 10:30", "objection.sent", RECEIVER, {"delivery_no": "HT260101-2", "form": "written"}),
    ("10-20 10:00", "payment.made", CASHIER, {"amount": "240000.00", "method": "transfer",
                                              "purpose": "第二批钢筋货款",
                                              "payment_no": "FK2610-02"}),
    ("10-29 09:00", "receipt.obtained", CASHIER, {"kind": "iou"}),
]

HT260102 = [  # equipment rental: a cash deposit, a major and a minor problem
    ("09-15 10:00", "contract.signed", LIU, {"amount": "80000", "counterparty": "渝北机械租赁"}),
    ("10-13 11:00", "payment.made", CASHIER, {"amount": "8000", "method": "cash",
                                              "purpose": "设备租赁押金",
                                              "payment_no": "FK2610-03"}),
    ("10-13 11:05", "receipt.obtained", CASHIER, {"kind": "iou"}),
    ("10-22 15:00", "issue.found", LIU, {"severity": "major"}),
    ("10-23 10:00", "legal.consulted", LIU, {}),
    ("10-26 09:30", "issue.reported", LIU, {}),
    ("10-27 10:00", "issue.found", LIU, {"severity": "minor"}),
]

HT260103 = [  # subcontract: three changes
    ("09-20 10:00", "contract.signed", CHEN, {"amount": "2500000", "counterparty": "川东防水工程"}),
    ("10-12 10:00", "change.requested", CHEN, {"amount": "300000", "reason": "增加地下室防水工程"}),
    ("10-14 15:00", "change.approved", NOT_A_LEADER, {}),
    ("10-20 09:00", "change.approved", BOSS, {}),
    ("10-21 14:00", "change.requested", CHEN, {"amount": "60000", "reason": "调整卷材规格"}),
    ("10-23 10:00", "change.approved", DEPT_HEAD, {}),
    ("10-28 10:00", "change.requested", CHEN, {"amount": "150000", "reason": "延长工期"}),
]

HT260104 = [  # cement purchase: a delivery entered twice, objected to only orally
    ("10-20 10:00", "contract.signed", LIU, {"amount": "500000", "counterparty": "华新水泥"}),
    ("10-26 09:00", "goods.received", LIU, {"delivery_no": "HT260104-1", "value": "250000"}),
    ("10-27 09:00", "goods.received", LIU, {"delivery_no": "HT260104-1", "value": "250000"}),
    ("10-27 16:00", "objection.sent", LIU, {"delivery_no": "HT260104-1", "form": "oral"}),
]

INSPECTIONS = [("09-29 16:00", "inspection.reported", None, LEGAL, {}),
               ("10-31 10:00", "inspection.reported", None, LEGAL, {})]

# the bank's confirmations that a transfer reached the payee (case-less statement lines);
# the cash deposit has none
CLEARED = [("10-09 15:00", "payment.cleared", None, None, {"payment_no": "FK2610-01"}),
           ("10-21 10:00", "payment.cleared", None, None, {"payment_no": "FK2610-02"})]

CONTRACTS = {"HT260101": HT260101, "HT260102": HT260102, "HT260103": HT260103,
             "HT260104": HT260104}


def build() -> list[dict]:
    rows = [*ROLES, *INSPECTIONS, *CLEARED]
    for case, steps in CONTRACTS.items():
        rows += [(when, kind, case, actor, attrs) for when, kind, actor, attrs in steps]
    return numbered(rows, "c")


if __name__ == "__main__":
    sys.exit(sample_files.main(build, __doc__, __file__))
