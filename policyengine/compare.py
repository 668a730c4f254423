"""Two evaluation results side by side: who pays more or less, which violations changed, why.

Works on the JSON form of results (`EvaluationResult.to_dict()`), so a result saved last
month compares with today's the same way as two policies evaluated now. Used by
`policyengine diff` (what-if before publishing) and `evaluate --against` (corrections after
late facts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from policyengine.results import money_number

_COMPARED = ("person", "due", "fulfilled_at", "late_by")
_PENALTY_COMPARED = ("rule", "amount", "forfeit", "month_amount", "effective")


@dataclass(frozen=True)
class PersonChange:
    person: str | None
    old_amount: Decimal
    new_amount: Decimal
    old_forfeit: bool
    new_forfeit: bool

    @property
    def change(self) -> Decimal:
        return self.new_amount - self.old_amount

    @property
    def changed(self) -> bool:
        return self.change != 0 or self.old_forfeit != self.new_forfeit

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "old_amount": money_number(self.old_amount),
                "new_amount": money_number(self.new_amount), "change": money_number(self.change),
                "old_forfeit": self.old_forfeit, "new_forfeit": self.new_forfeit}


@dataclass(frozen=True)
class ViolationChange:
    kind: str                   # added | removed | changed
    key: str
    duty: str
    case: str | None
    person: str | None
    fields: dict[str, tuple[Any, Any]]   # field -> (old, new)
    why: str
    why_zh: str = ""                      # the same in Chinese, for a Chinese reader

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "duty": self.duty, "case": self.case,
                "person": self.person,
                "fields": {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()},
                "why": self.why, "why_zh": self.why_zh}


@dataclass(frozen=True)
class Comparison:
    old_label: str
    new_label: str
    people: tuple[PersonChange, ...]
    violations: tuple[ViolationChange, ...]

    @property
    def unchanged(self) -> bool:
        return not self.violations and not any(p.changed for p in self.people)

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old_label, "new": self.new_label, "unchanged": self.unchanged,
                "people": [p.to_dict() for p in self.people if p.changed],
                "violations": [v.to_dict() for v in self.violations]}


def compare(old: dict[str, Any], new: dict[str, Any], *, old_label: str = "old",
            new_label: str = "new") -> Comparison:
    old_people = {p["person"]: p for p in old.get("people", [])}
    new_people = {p["person"]: p for p in new.get("people", [])}
    people = []
    for person in sorted(set(old_people) | set(new_people), key=lambda p: (p is None, p or "")):
        before, after = old_people.get(person, {}), new_people.get(person, {})
        people.append(PersonChange(person, _dec(before.get("amount")), _dec(after.get("amount")),
                                   bool(before.get("forfeit")), bool(after.get("forfeit"))))
    old_v = {v["key"]: v for v in old.get("violations", [])}
    new_v = {v["key"]: v for v in new.get("violations", [])}
    changes = []
    for key in sorted(set(old_v) | set(new_v)):
        before, after = old_v.get(key), new_v.get(key)
        if before is None and after is not None:
            changes.append(_change("added", after, {}, *_why_added(after)))
        elif after is None and before is not None:
            changes.append(_change("removed", before, {}, *_why_removed(before, new)))
        elif before is not None and after is not None:
            fields = {f: (before.get(f), after.get(f)) for f in _COMPARED
                      if before.get(f) != after.get(f)}
            for f in _PENALTY_COMPARED:
                was, now = before["penalty"].get(f), after["penalty"].get(f)
                if was != now:
                    fields[f"penalty.{f}"] = (was, now)
            if fields:
                was, now = before["penalty"], after["penalty"]
                why = f"was: {was['detail']}; now: {now['detail']}"
                why_zh = (f"原为：{was.get('detail_zh', was['detail'])}；"
                          f"现为：{now.get('detail_zh', now['detail'])}")
                changes.append(_change("changed", after, fields, why, why_zh))
    return Comparison(old_label, new_label, tuple(people), tuple(changes))


def _change(kind: str, violation: dict[str, Any], fields: dict[str, tuple[Any, Any]],
            why: str, why_zh: str) -> ViolationChange:
    return ViolationChange(kind, violation["key"], violation["duty"], violation.get("case"),
                           violation.get("person"), fields, why, why_zh)


def _why_added(violation: dict[str, Any]) -> tuple[str, str]:
    done = violation.get("fulfilled_at")
    penalty = violation["penalty"]
    return (f"now a violation: due {violation['due']}, {done or 'not fulfilled'}, "
            f"{violation['late_by']} late; {penalty['detail']}",
            f"新增违规：截止 {violation['due']}，{('完成于 ' + done) if done else '未完成'}，"
            f"迟了 {violation['late_by']}；{penalty.get('detail_zh', penalty['detail'])}")


def _why_removed(violation: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    period = new.get("period")
    return (f"no longer a violation in {period or 'this evaluation'} (deadline, fulfilment or "
            f"period changed; it was due {violation['due']})",
            f"在 {period or '本次评估'} 中不再是违规（截止时间、完成情况或期间有变；"
            f"原截止 {violation['due']}）")


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


# --- JSON (tables and CSV for people: policyengine/report/comparison.py) ---------------

def comparison_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2)
