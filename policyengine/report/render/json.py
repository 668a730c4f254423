"""A report as JSON: its data (the contract other systems read) with what it is and stands on:
kind, period, as-of, language and the policy stamp."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from policyengine.report.document import Document
from policyengine.results import money_number


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return money_number(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def as_dict(doc: Document) -> dict[str, Any]:
    return {"kind": doc.kind.value, "title": doc.title, "period": doc.period,
            "as_of": doc.as_of.isoformat(), "lang": doc.lang, "policy": doc.policy,
            **doc.data, "warnings": list(doc.warnings)}


def render(doc: Document) -> bytes:
    text = json.dumps(as_dict(doc), ensure_ascii=False, indent=2, default=_plain)
    return (text + "\n").encode("utf-8")
