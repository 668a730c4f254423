"""What the routes do, apart from HTTP: read the window asked for, evaluate, cut the result
into the parts a route answers with; check and store a batch of facts.

Errors a client can cause are `ApiError`s with a stable code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, overload

from policyengine.errors import (
    CalendarDataMissing,
    FactError,
    PolicyEngineError,
    PolicyError,
    UsageError,
)
from policyengine.facts.schema import Fact, parse_time
from policyengine.periods import Period
from policyengine.report import icalendar
from policyengine.results import EvaluationResult, Violation
from policyengine.service import ingest
from policyengine.service.http import ApiError, Row
from policyengine.service.messages import message
from policyengine.service.rows import RowCache
from policyengine.service.state import Live, Service
from policyengine.service.store import StoreUnavailable
from policyengine.wording import Glossary, Line, line

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
# The grammar of `Period.parse`, years 1900-2999 (ASCII digits: a JSON Schema pattern).
PERIOD_PATTERN = ("^(?:(?:19|2[0-9])[0-9]{2}-(?:0[1-9]|1[0-2])"
                  "|(?:19|2[0-9])[0-9]{2}-?[Qq][1-4])$")


def append(svc: Service, rows: Sequence[ingest.Row], sender: str,
           atomic: bool) -> tuple[list[ingest.Item], bool]:
    """Check the facts, store the valid ones (or, `atomic`, all or none): (items, stored)."""
    # Checked and committed under the policy lock: a reload cannot slip in between and leave
    # stored facts the new policy cannot read.
    with svc.policy_lock:
        live = svc.live
        items = ingest.check(rows, live.policy.schema, sender,
                             covered=live.policy.calendar.takes_facts_in)
        if atomic and any(item.status == "rejected" for item in items):
            for item in items:
                if item.status in ("stored", "duplicate"):
                    item.status = "not_stored"
            return items, False
        result = svc.store.append(ingest.to_store(items), atomic=atomic)
    ingest.settle(items, result)
    if result.committed and "stored" in result.outcomes:
        svc.webhooks.notify()
        svc.warmer.notify()
    return items, result.committed


def batch_rows(body: bytes, content_type: str, limit: int) -> list[ingest.Row]:
    """A batch body (JSON object or array, or JSON Lines) -> rows to check."""
    rows: list[ingest.Row]
    if content_type in NDJSON_TYPES:
        try:
            rows = ingest.ndjson_rows(body)
        except ingest.BodyNotUtf8 as exc:
            raise ApiError(400, "E-FACT-JSON", message("batch.ndjson",
                                                       detail=exc.reason)) from None
    else:
        value, error = ingest.parse_json(body)
        if error is not None:
            raise ApiError(400, "E-FACT-JSON", message("batch.json", detail=error))
        if isinstance(value, dict) and isinstance(value.get("facts"), list) \
                and set(value) == {"facts"}:
            value = value["facts"]
        if not isinstance(value, list):
            raise ApiError(400, "E-BATCH-SHAPE", message("batch.shape"))
        rows = [(None, raw, None) for raw in value]
    if len(rows) > limit:
        raise ApiError(413, "E-BATCH-TOO-LONG", message("batch.too_long", count=len(rows),
                                                        limit=limit),
                       extra={"limit_facts": limit})
    return rows


def when(live: Live, period: str | None,
         as_of: str | None) -> tuple[Period | None, datetime | None]:
    """The period and the as-of moment a read asks for, checked."""
    parsed = None
    if period is not None:
        if not re.fullmatch(PERIOD_PATTERN[1:-1], period):
            raise ApiError(400, "E-USAGE-PERIOD", message("period.form", period=period))
        try:
            parsed = Period.parse(period)
        except (UsageError, ValueError):
            raise ApiError(400, "E-USAGE-PERIOD", message("period.form", period=period)) from None
    moment = None
    if as_of is not None:
        tz = live.policy.calendar.tz
        try:
            moment = (datetime.now(tz).replace(microsecond=0) if as_of.strip() == "now"
                      else parse_time(as_of.strip(), tz))
        except (ValueError, OverflowError):
            raise ApiError(400, "E-USAGE-AS-OF", message("as_of.form", as_of=as_of)) from None
    if parsed is None and moment is None:
        raise ApiError(400, "E-USAGE", message("window.missing"))
    for label, year in (("period", parsed.start.year if parsed else None),
                        ("as_of", moment.year if moment else None)):
        if year is not None and not 1900 <= year <= 2999:
            raise ApiError(400, "E-USAGE", message("window.year", label=label, year=year))
    return parsed, moment


def evaluate(live: Live, period: str | None, as_of: str | None,
             person: str | None = None) -> EvaluationResult:
    """The evaluation a read asks for, from the cache or the engine. With `person`, only
    what that person's view reads is sure to be in it (reads.Results.person)."""
    parsed, moment = when(live, period, as_of)
    try:
        if person is not None:
            return live.results.person(parsed, moment, person)
        return live.results.get(parsed, moment)
    except CalendarDataMissing as exc:
        raise ApiError(409, "E-CAL-YEAR", message(
            "calendar.year", year=exc.year, context=f" ({exc.context})" if exc.context else ""
        )) from None
    except FactError as exc:
        raise ApiError(409, "E-FACT-STORED", message("facts.stored_invalid", detail=str(exc))
                       ) from None
    except StoreUnavailable:
        raise
    except PolicyEngineError as exc:
        raise ApiError(400, "E-USAGE", message("evaluate.failed", detail=str(exc))) from None


def violation_id(violation: Violation) -> str:
    """`DUTY:TRIGGER-ID` (stable while the trigger stands), or `DUTY:DUE-DATE` for a duty
    without a trigger (weekly)."""
    trigger = violation.trigger or {}
    if trigger.get("id"):
        return f"{violation.duty}:{trigger['id']}"
    return f"{violation.duty}:{violation.due.isoformat()[:10]}"


@overload
def violations(result: EvaluationResult, keep: Callable[[Violation], bool] | None = None,
               names: Glossary | None = None, rows: None = None) -> list[dict[str, Any]]: ...


@overload
def violations(result: EvaluationResult, keep: Callable[[Violation], bool] | None,
               names: Glossary | None = None, *, rows: RowCache) -> list[Row]: ...


def violations(result: EvaluationResult, keep: Callable[[Violation], bool] | None = None,
               names: Glossary | None = None,
               rows: RowCache | None = None) -> list[dict[str, Any]] | list[Row]:
    """The violations `keep` selects, as JSON, each with its `id` (`names`: the policy's
    glossary, for fact types and roles in `explanation_zh`; `rows`: renderings kept, with
    the glossary of the policy in force, written as JSON already)."""
    if rows is None:
        return [{"id": violation_id(v), **v.to_dict(names)} for v in result.violations
                if keep is None or keep(v)]
    return rows.rows((v for v in result.violations if keep is None or keep(v)), violation_id)


@overload
def obligations(result: EvaluationResult, person: str | None,
                rows: None = None) -> list[dict[str, Any]]: ...


@overload
def obligations(result: EvaluationResult, person: str | None, rows: RowCache) -> list[Row]: ...


def obligations(result: EvaluationResult, person: str | None,
                rows: RowCache | None = None) -> list[dict[str, Any]] | list[Row]:
    """The open obligations (`person`'s only, if given), as JSON (`rows`: renderings kept,
    written as JSON already)."""
    chosen = [o for o in result.obligations if person is None or o.person == person]
    if rows is None:
        return [o.to_dict() for o in chosen]
    return rows.obligations(chosen)


def find_violation(live: Live, wanted: str, period: str | None,
                   as_of: str | None) -> dict[str, Any]:
    result = evaluate(live, period, as_of)
    for found in violations(result, lambda v: violation_id(v) == wanted,
                            Glossary.of(live.policy.model)):
        return found
    raise ApiError(404, "E-NOT-FOUND", message("violation.not_found", id=wanted,
                                               period=result.period or "",
                                               as_of=result.as_of.isoformat()))


def window(result: EvaluationResult, person: str | None = None) -> dict[str, Any]:
    """What every read says of its evaluation, with the obligations pending calendar data
    (a person's only, when one is asked for): they belong to no period yet."""
    return {"period": result.period, "as_of": result.as_of.isoformat(),
            "policy": result.policy, "facts": result.stats.get("facts", 0),
            "pending_calendar": len(result.pending),
            "pending": [p.to_dict() for p in result.pending
                        if person is None or p.person == person]}


def policy_info(live: Live, brief: bool = False) -> dict[str, Any]:
    model = live.policy.model
    identity = live.policy.identity
    out: dict[str, Any] = {
        "pack": identity.pack if identity is not None else None,
        "id": model.policy.id, "name": model.policy.name, "version": model.policy.version,
        "timezone": model.calendar.timezone,
        "identity": identity.to_dict() if identity is not None else None,
        "loaded_at": live.loaded_at.isoformat(),
    }
    if brief:
        return out
    out["fact_types"] = {
        name: {"name": spec.name, "case": spec.case, "actor": spec.actor,
               "attributes": {a: {"type": s.type, "required": s.required,
                                  **({"values": list(s.values)} if s.values else {})}
                              for a, s in spec.attributes.items()}}
        for name, spec in model.fact_types.items()}
    out["duties"] = [{"id": d.id, "name": d.title, "responsible": d.responsible,
                      "penalty": d.penalty} for d in live.policy.duties.values()]
    return out


def diagnostics(exc: PolicyError | FactError) -> list[dict[str, object]]:
    return [d.to_dict() for d in exc.diagnostics[:200]]


def duties_feed(live: Live, person: str, as_of: str | None, lang: str) -> str:
    """`person`'s open duties as an iCalendar feed, at `as_of` (default: now, to the minute,
    so the polls of every subscribed calendar within a minute share one evaluation)."""
    tz = live.policy.calendar.tz
    if as_of is None:
        as_of = datetime.now(tz).replace(second=0, microsecond=0).isoformat()
    _, moment = when(live, None, as_of)
    assert moment is not None  # `when` gives a moment for an as-of, or refuses it
    # The month of as-of: the open obligations are every one up to as-of whatever the
    # period; a month keeps the violations evaluated along with them few.
    period = f"{moment.astimezone(tz):%Y-%m}"
    result = evaluate(live, period, as_of, person)
    duties = live.policy.duties

    def rule_of(duty_id: str, trigger: Fact | None, opened_at: datetime) -> Line | None:
        duty = duties.get(duty_id)
        if duty is None:
            return None
        if trigger is not None and duty.deadline is not None:
            return line("why.rule", rule=duty.deadline.describe(trigger.at))
        if duty.recurring is not None:
            return line("why.rule", rule=duty.recurring.describe())
        return None

    return icalendar.duties_calendar(
        person, result.obligations, result.pending, as_of=result.as_of, tz=tz, lang=lang,
        domain=f"{live.policy.model.policy.id}.policyengine", rule_of=rule_of,
        names=Glossary.of(live.policy.model))
