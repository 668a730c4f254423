"""Rendered rows kept between reads: a busy person's month lists about a thousand
violations, and rendering each one's explanation in two languages took most of a read
(0.3 s of 0.5 s for the busiest person at 1M facts).

A violation's explanation is made from its obligation (not changed once its case's replay
is done: a new fact replays the case into new obligations), the as-of and what the result
found of it (who answers, how, the status, how late) (engine/evaluate.py `Explanation`). So
the rendered explanation is kept under those, with the obligation itself held, so its
identity cannot be taken by another object. A penalty's rendering is kept under its text,
and the whole row under the explanation's key with the month and the charge (a month's
count tier moving charges a row otherwise: a row kept whole is joined again from its
bytes before and after the charge, kept as long, and the charge's). An open
obligation's row is kept under its fields, its two times by identity (held, so their
identity cannot be taken): a busy month lists hundreds, the same objects read after read
while their cases are not replayed. Rows are written as JSON when made (`http.encoded`):
an answer neither walks them for floats nor writes them again. All are bounded (the oldest
dropped first): memory stays flat.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import msgspec

from policyengine.engine.evaluate import Explanation
from policyengine.results import OpenObligation, Violation
from policyengine.service.http import Row, encoded, written
from policyengine.wording import Glossary

# A violation's explanation, rendered: its steps, or their JSON text (`_kept`).
Steps = list[str] | msgspec.Raw

# Rows kept: a few busy people's months (at 1M facts the busiest person's lists ~1,000, a
# typical person's a few dozen). Bounded so that reading month after month levels off
# within the service's memory target: 20,000 rows were reached only after ~37 months of the
# busiest person, RSS then +12 % and rising (D70).
ROWS = 10_000
# Whole rows kept (each ~2 KB with its trigger fact), from a row's second reading on: the
# months read again and again (at 1M facts the busiest person's current and last month,
# ~660 rows, and the rows of her cases made again while facts come: a few hundred), not
# every month ever read (RSS must stay flat over many months: +12 % over 24 months at 200k
# facts when every row was kept whole).
WHOLE_ROWS = 2_000
# Open obligations' rows kept (each ~0.8 KB): the busiest person's current month at 1M
# facts lists ~760, her last whole month's as-of ~800 more.
OPEN_ROWS = 4_000


class RowCache:
    """Rendered explanations and penalties of violations, by what they are made from."""

    def __init__(self, names: Glossary, size: int = ROWS, whole: int = WHOLE_ROWS,
                 open_rows: int = OPEN_ROWS):
        self.names = names  # the policy's glossary: Chinese explanations name types, roles
        self.size = size
        self.whole = whole
        self.open_rows = open_rows
        self._explained: OrderedDict[tuple[Any, ...], tuple[object, Steps, Steps]] = OrderedDict()
        # whole rows, under the explanation's key with the month and the charge
        self._rows: OrderedDict[tuple[Any, ...], tuple[object, Row]] = OrderedDict()
        # of rows kept whole, their bytes around the charge, under the explanation's key
        self._around: OrderedDict[tuple[Any, ...], tuple[object, str, bytes, bytes]] = \
            OrderedDict()
        # a charge's rendering and its bytes (None: not written alike, `http.written`)
        self._penalties: OrderedDict[str, tuple[dict[str, Any], bytes | None]] = OrderedDict()
        # open obligations' rows: (due, opened_at, row), under the fields (the times by id)
        self._open: OrderedDict[tuple[Any, ...], tuple[datetime, datetime, Row]] = \
            OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def rows(self, violations: Iterable[Violation],
             ident: Callable[[Violation], str]) -> list[Row]:
        """`row` of each violation, in one answer: the charges and the ways found that
        violations share (one charge object per person, rule and month) written once for
        their keys (a charge's `repr` cost ~7 us, most of a kept row's look-up)."""
        reprs: dict[int, str] = {}  # by id: every object is held by `violations` meanwhile
        return [self.row(violation, ident, reprs) for violation in violations]

    def row(self, violation: Violation, ident: Callable[[Violation], str],
            reprs: dict[int, str]) -> Row:
        """`{"id": ident(violation), **violation.to_dict(self.names)}`, kept whole: every
        field of it is made from the obligation (its duty, case, trigger and fulfilling
        fact, unchanged once its case's replay is done), the as-of, what the result found
        (who answers, how, the status, how late), the month charged and the penalty's
        charge, which the key holds. Written as JSON when made (`http.encoded`); shared
        between answers. `reprs`: the keys' `repr`s of objects alive meanwhile, by id
        (`rows`)."""
        names = self.names
        explain = violation.explain
        if not isinstance(explain, Explanation):
            return {"id": ident(violation), **violation.to_dict(names)}
        obligation, how = explain.obligation, explain.how_found
        key = (id(obligation), explain.as_of, explain.person, how.key,
               _repr(how.args, reprs), explain.status, explain.late_by)
        penalty_key = _repr(violation.penalty, reprs)
        whole = (*key, violation.month, penalty_key)
        with self._lock:
            done = self._rows.get(whole)
            if done is not None and done[0] is obligation:
                self.hits += 1
                self._rows.move_to_end(whole)
                return done[1]
            found = self._explained.get(key)
            penalty = self._penalties.get(penalty_key)
            around = self._around.get(key)
        again = found is not None and found[0] is obligation
        if found is not None and again:
            # Read before: the same explanation (charged otherwise, if a tier moved).
            english, chinese = found[1], found[2]
        else:
            steps = violation.explanation
            english = _kept([step.render("en") for step in steps])
            chinese = _kept([step.render("zh", names) for step in steps])
            self._keep(self._explained, key, (obligation, english, chinese))
        if penalty is None:
            charge = violation.penalty.to_dict()
            penalty = (charge, written(charge))
            self._keep(self._penalties, penalty_key, penalty)
        if around is not None and around[0] is obligation and around[1] == violation.month \
                and penalty[1] is not None:
            # Every field but the charge is made from what the explanation's key holds.
            row: Row = msgspec.Raw(around[2] + penalty[1] + around[3])
        else:
            # (the penalty's rendering shared, not copied: kept rows are never changed)
            fields = {"id": ident(violation),
                      **violation.to_dict(names, rendered=(english, chinese, penalty[0]))}
            row = encoded(fields)
            if again and (parts := _around(fields)) is not None:
                self._keep(self._around, key, (obligation, violation.month, *parts), self.whole)
        if again:  # kept whole from its second reading: a month read once keeps no rows
            self._keep(self._rows, whole, (obligation, row), self.whole)
        return row

    def obligations(self, chosen: Iterable[OpenObligation]) -> list[Row]:
        """`[o.to_dict() for o in chosen]`, each row written as JSON (`http.encoded`) and
        kept: a row is made from the obligation's fields, which the key holds, the two
        times by identity (their objects held in the entry: the same object is the
        same time; hashing a time costs what writing it does). A new evaluation makes new
        `OpenObligation`s from the same obligations, hence the same time objects. Shared
        between answers."""
        kept = self._open
        out: list[Row] = []
        with self._lock:
            for open_ in chosen:
                due, opened = open_.due, open_.opened_at
                key = (open_.duty, open_.duty_name, open_.case, open_.person, open_.role,
                       open_.overdue, id(due), id(opened))
                done = kept.get(key)
                if done is not None and done[0] is due and done[1] is opened:
                    kept.move_to_end(key)
                else:
                    done = kept[key] = (due, opened, encoded(open_.to_dict()))
                out.append(done[2])
            while len(kept) > self.open_rows:
                kept.popitem(last=False)
        return out

    def _keep(self, table: OrderedDict[Any, Any], key: Any, value: Any,
              size: int | None = None) -> None:
        most = self.size if size is None else size
        with self._lock:
            table[key] = value
            table.move_to_end(key)
            while len(table) > most:
                table.popitem(last=False)


def _kept(steps: list[str]) -> Steps:
    """Rendered steps as kept: written as JSON once (`http.written`), which a row holds as
    it is (`Json` reads it back only for an answer msgspec cannot write). Kept as text, the
    steps took twice the memory: writing a text holding any character outside ASCII (a
    Chinese step, a name in an English one) leaves its UTF-8 copy on the text for as long
    as the text lives (D70)."""
    data = written(steps)
    return steps if data is None else msgspec.Raw(data)


def _repr(value: object, reprs: dict[int, str]) -> str:
    """`repr(value)`, made once per object in `reprs` (by id: alive while it is used)."""
    found = reprs.get(id(value))
    if found is None:
        found = reprs[id(value)] = repr(value)
    return found


# The fields `Violation.to_dict` ends with: a row's bytes before and after them are kept.
_LAST = ("penalty", "explanation", "explanation_zh")


def _around(fields: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """A violation's row `fields` written but its charge, before and after it, as `Json`
    writes it in an answer (None: not written alike, `http.written`, or the row no longer
    ends with the charge and the explanations: then it is made whole each time, correct if
    slower, and tests/service/test_service_rows.py says so)."""
    if tuple(fields)[-len(_LAST):] != _LAST:
        return None
    front = written({k: v for k, v in fields.items() if k not in _LAST})
    english, chinese = written(fields["explanation"]), written(fields["explanation_zh"])
    if front is None or english is None or chinese is None:
        return None
    return (front[:-1] + b',"penalty":',
            b',"explanation":' + english + b',"explanation_zh":' + chinese + b'}')
