"""Evaluation: replay the facts up to `as_of`, then classify, explain and charge.

`evaluate(policy, facts, period=..., as_of=...)` is the engine's one entry point. It is a
pure function of its inputs: the same facts (in any order) and policy give the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import partial
from typing import Any, Final, NamedTuple

from mypy_extensions import mypyc_attr

from policyengine.engine.compiled import CompiledDuty, CompiledPolicy, Per
from policyengine.engine.obligation import Obligation, obligation_key, opener
from policyengine.engine.ordering import dedupe, in_order, up_to, wall_bounds
from policyengine.engine.penalties.months import (
    Groups,
    MonthKey,
    Months,
    count_people,
    group,
    months_of,
    people_totals,
)
from policyengine.engine.penalties.rules import NO_PENALTY, CompiledPenalty, charge
from policyengine.engine.replay import Forbidden, Replay, replay
from policyengine.engine.rewards import rewards
from policyengine.engine.rewards.merit_days import Merits
from policyengine.engine.stream import StreamedFacts, Unread, replay_file
from policyengine.engine.workers import can_split, parts_of, split_replay
from policyengine.errors import CalendarDataMissing, UsageError
from policyengine.facts.reader import FactStream
from policyengine.facts.schema import Fact
from policyengine.gcpause import gc_paused
from policyengine.kinds import ScheduleKind, Status
from policyengine.periods import Period
from policyengine.policy.checks import ACTOR
from policyengine.results import (
    EvaluationResult,
    OpenObligation,
    PenaltyCharge,
    PendingObligation,
    Violation,
)
from policyengine.wording import Line, line


class Outcome(NamedTuple):
    """One obligation, classified at `as_of`. (A tuple: one is made for every obligation
    reported, and a frozen dataclass's `__init__` costs twice as much.)"""

    obligation: Obligation
    person: str | None
    how_found: Line
    status: Status
    late_by: timedelta

    @property
    def violated(self) -> bool:
        return self.status in (Status.LATE, Status.MISSED)


def evaluate(
    policy: CompiledPolicy,
    facts: Iterable[Fact],
    *,
    period: Period | str | None = None,
    as_of: datetime | None = None,
    workers: int = 1,
) -> EvaluationResult:
    """Evaluate facts under a policy for a period (violations whose deadline falls in it).

    With `workers` > 1 the replay is split by case over that many processes (where the
    system can fork; else one process does it all): the result is the same."""
    period, as_of = standing(policy, period, as_of)
    with gc_paused():
        if workers > 1 and can_split(policy, workers):
            run = _split(policy, facts, as_of, period, workers)
            if run is not None:
                return evaluate_replay(policy, run, period)
        # Obligations met in time that no result reads are dropped as the replay goes
        # (memory): most obligations.
        looked_at = _looked_at_when_met(policy, period)
        run = replay(policy, facts, as_of,
                     unread=[d for d in policy.duties if d not in looked_at])
        return evaluate_replay(policy, run, period)


def evaluate_file(policy: CompiledPolicy, stream: FactStream, *,
                  period: Period | str | None = None, as_of: datetime | None = None
                  ) -> tuple[EvaluationResult, StreamedFacts]:
    """`evaluate` over the facts of a file, read as they are replayed (engine/stream.py):
    memory bounded by the open cases, not the history. The result is `evaluate`'s over
    `read_facts(file).facts`; the reading's rejections and counts come with it."""
    period, as_of = standing(policy, period, as_of)
    with gc_paused():
        run, read = replay_file(policy, stream, as_of, unread=_unread(policy, period))
        return evaluate_replay(policy, run, period), read


def _unread(policy: CompiledPolicy, period: Period | None) -> Unread:
    """What `evaluate_replay` never reads of a replay for `period` (see `triage`)."""
    looked_at = _looked_at_when_met(policy, period)
    tz = policy.calendar.tz
    quarterly = period is not None and period.is_quarter and any(
        r.quarterly for r in policy.rewards.values())
    return Unread(met=frozenset(d for d in policy.duties if d not in looked_at),
                  outside=(period.start_at(tz), period.end_at(tz)) if period else None,
                  always_read=frozenset(_reward_duties(policy, period)), by_case=quarterly)


def standing(policy: CompiledPolicy, period: Period | str | None,
              as_of: datetime | None) -> tuple[Period | None, datetime]:
    """The period (parsed) and the as-of time (the period's end unless given; in the
    policy's zone when given without one)."""
    tz = policy.calendar.tz
    if isinstance(period, str):
        period = Period.parse(period)
    if as_of is None:
        if period is None:
            raise UsageError("give a period or an as_of time: the engine never reads the clock")
        as_of = period.end_at(tz)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=tz)
    return period, as_of


def _split(policy: CompiledPolicy, facts: Iterable[Fact], as_of: datetime,
           period: Period | None, workers: int) -> Replay | None:
    """The replay over worker processes (engine/workers.py); None if it cannot be split."""
    unique, duplicates = dedupe(facts)
    ordered = in_order(up_to(unique, as_of, policy.calendar.tz), ids_unique=True)
    parts = parts_of(ordered, workers, policy.anchor_types)
    if not ordered or parts is None:
        return None
    sort_out = triage(policy, period, as_of)
    run = split_replay(policy, ordered, as_of,
                       lambda o: o.missing_year is not None or sort_out(o) is not None, parts)
    if run is None:
        return None
    run.facts_after_as_of, run.duplicates = len(unique) - len(ordered), duplicates
    return run


Triage = Callable[[Obligation], "tuple[Status, timedelta, bool, bool] | None"]


def triage(policy: CompiledPolicy, period: Period | None, as_of: datetime) -> Triage:
    """For an obligation with a known deadline: (status, late by, a violation of the period,
    early for a merit), or None when the results do not look at it (met, or outside the
    period, and no reward reads it). Classifying cheaply first: people and explanations are
    found only for the obligations reported. `evaluate_replay` makes the same tests inline:
    a change here is made there too (tests/engine/test_speed_results.py compares them)."""
    tz = policy.calendar.tz
    start, end = (period.start_at(tz), period.end_at(tz)) if period else (None, None)
    merit_duties = _merit_duties(policy)
    reward_duties = _reward_duties(policy, period)
    looked_at_when_met = _looked_at_when_met(policy, period)
    # Deadlines are in the calendar's zone: compared with the as-of moved there (as
    # ordering.py `up_to` does), not asked both zones' offsets each time
    surely, never = wall_bounds(as_of, tz)

    def sort_out(obligation: Obligation) -> tuple[Status, timedelta, bool, bool] | None:
        done = obligation.fulfilled_by
        if (done is not None and done.at <= obligation.due
                and obligation.duty.id not in looked_at_when_met):
            return None  # met, and no merit or reward reads it: most obligations
        status, late_by = _status(obligation, as_of, surely, never)
        inside = start is None or (start <= obligation.due < end)  # type: ignore[operator]
        duty = obligation.duty.id
        done = obligation.fulfilled_by
        is_violation = inside and (status is _LATE or status is _MISSED)
        is_early = (inside and status is _MET and duty in merit_duties
                    and done is not None and _day(done.at, tz) < _day(obligation.due, tz))
        if not (is_violation or is_early or done is None or duty in reward_duties):
            return None
        return status, late_by, is_violation, is_early

    return sort_out


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """A moment in the calendar's zone (`WorkCalendar.local` without a call of Python)."""
    return moment if moment.tzinfo is tz else moment.astimezone(tz)


def _day(moment: datetime, tz: tzinfo) -> date:
    """The local date of a moment."""
    return _local(moment, tz).date()


def _looked_at_when_met(policy: CompiledPolicy, period: Period | None) -> set[str]:
    """The duties whose obligations met in time the results still read (merits, rewards)."""
    return _merit_duties(policy) | _reward_duties(policy, period)


def _merit_duties(policy: CompiledPolicy) -> set[str]:
    """The duties whose commitments met early a reward of every period counts (merits)."""
    return {d for r in policy.rewards.values() if not r.quarterly for d in r.duties}


def _reward_duties(policy: CompiledPolicy, period: Period | None) -> set[str]:
    # Quarterly rewards look at every obligation of their duties (a commitment due outside
    # the quarter may be fulfilled inside it); other periods have no rewards.
    return ({d for r in policy.rewards.values() if r.quarterly for d in r.duties}
            if period is not None and period.is_quarter else set())


def evaluate_replay(policy: CompiledPolicy, run: Replay, period: Period | None) -> EvaluationResult:
    """The results of a replay for a period (None: every deadline up to the replay's as-of)."""
    as_of = run.as_of
    tz = policy.calendar.tz
    whole = period is None
    # (the period's bounds; the as-of twice when there is no period: never compared then)
    start, end = (period.start_at(tz), period.end_at(tz)) if period is not None else (as_of, as_of)
    surely, never = wall_bounds(as_of, tz)
    work = _duties_at_work(policy, period)  # what the loop asks of each duty
    roles = run.roles
    open_now: list[OpenObligation] = []
    for_rewards: list[Outcome] = []
    pending: list[PendingObligation] = []
    counter = Merits(policy)  # `merits`, each commitment met early counted as found
    charger = _Charger(policy)
    made = _Made(policy, as_of)
    groups: Groups = {}  # each charge grouped into its month as it is made
    for obligation in run.obligations:
        # `triage` and `_status`, inlined (the same tests in the same order, without a call
        # and two tuples per obligation): most obligations were met and nothing reads them.
        # `triage` still decides what workers and Dask send back: a change here is made
        # there too (tests/engine/test_speed_results.py compares the two).
        if obligation.missing_year is not None:
            pending.append(_pending(policy, run, obligation))
            continue
        done = obligation.fulfilled_by
        due = obligation.due
        duty = work[obligation.duty.id]
        is_violation = False
        is_early = False
        if done is not None:
            done_at = done.at
            if done_at <= due:
                if not duty.looked_at_when_met:
                    continue
                status = _MET
                late_by = _ON_TIME
                if duty.merit and (whole or start <= due < end):
                    done_at = _local(done_at, tz)
                    local_due = _local(due, tz)
                    done_day = done_at.date()  # (found once: the merit counter reads them)
                    due_day = local_due.date()
                    is_early = done_day < due_day
            else:
                status = _LATE
                late_by = done_at - due
                is_violation = whole or start <= due < end
        elif due < surely or (due < never and due < as_of):
            status = _MISSED
            late_by = as_of - due
            is_violation = whole or start <= due < end
        else:
            status = _OPEN
            late_by = _ON_TIME
        if not (is_violation or is_early or done is None or duty.reward):
            continue
        role = duty.held
        if role is not None:  # `_answerer`'s `holder`, remembered per deadline (by object)
            held = duty.holders
            seen = id(due)
            if seen in held:
                person = held[seen]
            else:
                person = held[seen] = roles.holder(role, due)
            how = duty.how
        else:
            person, how = duty.answer(run, obligation)
        if is_early:  # no `Outcome` for it unless a reward reads it too
            counter.add_days(obligation, duty.id, person, done_at, local_due, done_day, due_day)
            if not duty.reward:
                continue
        if is_violation:  # charged and made as found (in the order of the obligations)
            charged, month, local_due = charger.charge(obligation, duty.id, late_by)
            made.add(obligation, person, how, status, late_by, duty, charged, month, local_due,
                     group(groups, person, charged, month))
        if done is None:
            open_now.append(_open(obligation, person, status))
        if duty.reward:  # an `Outcome` only for the rewards: a violation's is made if asked
            # made as the tuple it is: the class's own __new__ is Python (a frame each time)
            for_rewards.append(_NEW_TUPLE(Outcome, (obligation, person, how, status, late_by)))
    forbidden = _forbidden(policy, run, period)
    for forbade, charge_, month in forbidden:
        group(groups, forbade.person, charge_, month)
    months = months_of(policy.penalties, groups)
    made.fill(months)
    violations, keys, counted = made.out, made.keys, made.counted
    breaches = [_prohibited(policy, run.as_of, f, months.in_month(f.person, c, m), m)
                for f, c, m in forbidden]
    for breach in breaches:
        due, prohibition, case, person = _by_due(breach)
        keys.append((due, prohibition, case, person, len(violations)))
        violations.append(breach)
    violations = _in_order_of(keys, violations)
    people = people_totals(count_people(breaches, counted), months)
    open_now.sort(key=_open_by_due)
    notes = list(run.notes)
    found_rewards = rewards(policy, run, for_rewards, violations, period, notes) if period else []
    notes.extend(counter.notes)  # after the rewards' notes, as `merits` says them
    found_merits = counter.found()
    return EvaluationResult(
        period=period.label if period else None,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        as_of=as_of,
        policy=_policy_stamp(policy),
        violations=tuple(violations),
        people=tuple(people),
        obligations=tuple(open_now),
        rewards=tuple(found_rewards),
        merits=tuple(found_merits),
        stats={
            "facts": run.facts_seen,
            "facts_after_as_of": run.facts_after_as_of,
            "duplicates": run.duplicates,
            "obligations": (len(run.obligations) if run.total_obligations is None
                            else run.total_obligations),
            "violations": len(violations),
            "pending_calendar": len(pending),
        },
        notes=tuple(notes),
        pending=tuple(pending),
    )


class _Duty:
    """What `evaluate_replay` asks of one duty, found once per evaluation: one look-up by
    the duty's id per obligation, where five to eight sets and tables were asked."""

    def __init__(self, policy: CompiledPolicy, duty: CompiledDuty, *, merit: bool,
                 reward: bool, holders: dict[str, dict[int, str | None]]) -> None:
        self.id: Final = duty.id
        self.title: Final = duty.title  # (a property: a call of Python)
        self.role: Final = duty.responsible
        self.merit: Final = merit  # its commitments met early are merits
        self.reward: Final = reward  # a reward of the period reads every obligation of it
        self.looked_at_when_met: Final = merit or reward  # `_looked_at_when_met`
        self.answer: Final = _answerers(policy)[duty.id][1]  # `responsible`
        # When the holder of a role at the deadline answers (`_answerer`'s `holder`): the
        # role, its answer's words, and who held it at each deadline met so far, by the
        # deadline's object (the replay keeps every one alive; the same object is the same
        # deadline), shared by the duties of the role
        self.held: Final = _held_by(policy, duty)
        self.how: Final = line("how.holder", role=self.held) if self.held else _NO_LINE
        self.holders: Final = holders.setdefault(self.held or "", {})


def _duties_at_work(policy: CompiledPolicy, period: Period | None) -> dict[str, _Duty]:
    """Each duty's `_Duty` for an evaluation of `period`."""
    merit_duties = _merit_duties(policy)
    reward_duties = _reward_duties(policy, period)
    holders: dict[str, dict[int, str | None]] = {}
    return {d.id: _Duty(policy, d, merit=d.id in merit_duties, reward=d.id in reward_duties,
                        holders=holders)
            for d in policy.duties.values()}


_ON_TIME: Final = timedelta(0)
# The statuses read per obligation, as constants of this module (compiled: no look-up of
# `Status` and its member by name at each use)
_MET: Final = Status.MET
_LATE: Final = Status.LATE
_MISSED: Final = Status.MISSED
_OPEN: Final = Status.OPEN
_PENDING: Final = Status.PENDING
_NEW: Final = object.__new__
_NEW_TUPLE: Final[Callable[[type[Outcome], tuple[Any, ...]], Outcome]] = tuple.__new__
_NEW_LINE: Final[Callable[[type[Line], tuple[Any, ...]], Line]] = tuple.__new__
_NO_LINE: Final = line("empty")


def _new_line(key: str, args: dict[str, Any]) -> Line:
    """`line(key, **args)` made as the tuple it is: `line` and the NamedTuple's `__new__`
    are two calls of Python, once per obligation reported (whose actor says how)."""
    return _NEW_LINE(Line, (key, args))


def _by_due(v: Violation) -> tuple[datetime, str, str, str]:
    return v.due, v.duty, v.case or "", v.person or ""


# `_by_due` and the violation's place in its list: sorted, the order `sort(key=_by_due)`
# gives (stable), without a call and four look-ups by name per violation to make the key.
_DueKey = tuple[datetime, str, str, str, int]


def _in_order_of(keys: list[_DueKey], items: list[Violation]) -> list[Violation]:
    keys.sort()
    return [items[key[4]] for key in keys]


def _open_by_due(o: OpenObligation) -> tuple[datetime, str, str]:
    return o.due, o.duty, o.case or ""


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Breach:
    """A forbidden fact, with who answers for it and how they were found."""

    forbidden: Forbidden
    person: str | None
    how_found: Line


def _forbidden(policy: CompiledPolicy, run: Replay, period: Period | None
               ) -> list[tuple[Breach, PenaltyCharge, str]]:
    """The period's forbidden facts (by the fact's time), charged like any violation."""
    tz = policy.calendar.tz
    start, end = (period.start_at(tz), period.end_at(tz)) if period else (None, None)
    out = []
    for forbidden in run.forbidden:
        at = forbidden.fact.at
        if start is not None and not start <= at < end:  # type: ignore[operator]
            continue
        rule = policy.prohibitions[forbidden.prohibition]
        breach = Breach(forbidden, *_answerable(policy, run, rule.responsible, forbidden))
        penalty = policy.penalties.get(rule.penalty) if rule.penalty else None
        local = policy.calendar.local(at)
        out.append((breach, charge(penalty, local.date(), _ON_TIME),
                    f"{local.year:04d}-{local.month:02d}"))
    return out


def _answerable(policy: CompiledPolicy, run: Replay, role: str, forbidden: Forbidden
                ) -> tuple[str | None, Line]:
    fact = forbidden.fact
    if role == ACTOR:
        return fact.actor, line("how.fact_actor")
    spec = policy.model.roles[role]
    if spec.assigned:
        return run.roles.holder(role, fact.at), line("how.holder_at_fact", role=role)
    if spec.members:
        return _member(role, spec.members)
    if forbidden.actor is not None:
        return forbidden.actor, line("how.latest_actor", types=" / ".join(spec.actor_of or ()),
                                     case=fact.case)
    return None, line("how.unknown", role=role, types=" / ".join(spec.actor_of or ()))


def _member(role: str, members: tuple[str, ...]) -> tuple[str | None, Line]:
    if len(members) == 1:
        return members[0], line("how.members", role=role)
    return None, line("how.no_member", role=role, count=len(members))


def _prohibited(policy: CompiledPolicy, as_of: datetime, breach: Breach, charged: PenaltyCharge,
                month: str) -> Violation:
    forbidden = breach.forbidden
    rule = policy.prohibitions[forbidden.prohibition]
    fact = forbidden.fact
    at = policy.calendar.local(fact.at)
    return Violation(
        duty=rule.id, duty_name=rule.title, case=fact.case, person=breach.person,
        role=rule.responsible, due=at, fulfilled_at=None, fulfilled_by=None, late_by=_ON_TIME,
        month=month, trigger_fact=fact, penalty=charged,
        explain=partial(_explained_breach, policy, breach),
        key=f"{rule.id}|{fact.case or ''}|{opener(fact, fact.at, forbidden.seq)}",
        status=Status.PROHIBITED)


def _explained_breach(policy: CompiledPolicy, breach: Breach) -> tuple[Line, ...]:
    forbidden = breach.forbidden
    rule = policy.prohibitions[forbidden.prohibition]
    fact = forbidden.fact
    clause = f" ({rule.spec.clause})" if rule.spec.clause else ""
    return (line("why.prohibition", id=rule.id, name=rule.title, clause=clause),
            line("why.forbidden", type=fact.type, ref=fact.ref(), id=rule.id,
                 at=policy.calendar.local(fact.at),
                 by=f" ({fact.actor})" if fact.actor else ""),
            line("why.responsible", person=breach.person or "(unknown)", how=breach.how_found))


def status_of(obligation: Obligation, as_of: datetime) -> tuple[Status, timedelta]:
    """met | late | missed | open | pending, and how late (0 unless late or missed)."""
    return _status(obligation, as_of, as_of, as_of)


def _status(obligation: Obligation, as_of: datetime, surely: datetime, never: datetime
            ) -> tuple[Status, timedelta]:
    """`status_of`, with the as-of's bounds in the deadlines' zone: a deadline before
    `surely` is before the as-of, one at or after `never` is not (between them, or in
    another zone, it is compared with the as-of itself)."""
    if obligation.missing_year is not None:
        return _PENDING, _ON_TIME
    fulfilled = obligation.fulfilled_by
    if fulfilled is not None:
        if fulfilled.at <= obligation.due:
            return _MET, _ON_TIME
        return _LATE, fulfilled.at - obligation.due
    due = obligation.due
    if due < surely or (due < never and due < as_of):
        return _MISSED, as_of - due
    return _OPEN, _ON_TIME


def classify(policy: CompiledPolicy, run: Replay, obligation: Obligation) -> Outcome:
    return Outcome(obligation, *responsible(policy, run, obligation),
                   *status_of(obligation, run.as_of))


Answer = tuple[str | None, Line]
Answerer = Callable[[Replay, Obligation], Answer]


def responsible(policy: CompiledPolicy, run: Replay, obligation: Obligation) -> Answer:
    """The person answerable for an obligation, and how they were found."""
    duty = obligation.duty
    known = _answerers(policy).get(duty.id)
    if known is None or known[0] is not duty:  # a duty of another policy (same id)
        return _answerer(policy, duty)(run, obligation)
    answer: Answerer = known[1]
    return answer(run, obligation)


def _answerers(policy: CompiledPolicy) -> dict[str, tuple[CompiledDuty, Answerer]]:
    """Each duty's `_answerer`, made once per compiled policy (`policy.answerers`)."""
    made_ = policy.answerers
    if len(made_) != len(policy.duties):
        made_.update({d.id: (d, _answerer(policy, d)) for d in policy.duties.values()})
    return made_


def _answerer(policy: CompiledPolicy, duty: CompiledDuty) -> Answerer:
    """`responsible` for the obligations of one duty: how its role is found is decided
    once, for all of them (a `Line` is never changed once made: shared ones are safe)."""
    role = duty.responsible
    spec = policy.model.roles[role]
    if spec.members:
        members = _member(role, spec.members)
        return lambda run, obligation: members
    if _held_by(policy, duty) is not None:
        how = line("how.holder", role=role)

        def holder(run: Replay, obligation: Obligation) -> Answer:
            if obligation.missing_year is not None:
                return _pending_holder(run, role, obligation), how
            return run.roles.holder(role, obligation.due), how
        return holder
    types = " / ".join(spec.actor_of or ())
    unknown = line("how.unknown", role=role, types=types)
    if duty.per is not Per.CASE and spec.actor_of:
        # Not the case's first such fact: the latest at or before this obligation's trigger.
        def latest(run: Replay, obligation: Obligation) -> Answer:
            if obligation.actor is not None:
                return obligation.actor, _new_line("how.latest_actor",
                                                   {"types": types, "case": obligation.case})
            return None, unknown
        return latest
    actor_of = spec.actor_of or ()

    def first(run: Replay, obligation: Obligation) -> Answer:
        case = obligation.case
        if case is not None:
            for fact_type in actor_of:
                actor = run.first_actor.get((case, fact_type))
                if actor is not None:
                    return actor, _new_line("how.actor", {"type": fact_type, "case": case})
        return None, unknown
    return first


def _held_by(policy: CompiledPolicy, duty: CompiledDuty) -> str | None:
    """The role whose holder at the deadline answers for a duty's obligations (an assigned
    role without fixed members), or None: another way (`_answerer`)."""
    spec = policy.model.roles[duty.responsible]
    return duty.responsible if spec.assigned and not spec.members else None


def _pending_holder(run: Replay, role: str, obligation: Obligation) -> str | None:
    """The holder at a deadline not yet known: it is no earlier than `due`; who holds the
    role from then to as-of (or at `due`, if later) is the answer only if that is one person."""
    end = max(run.as_of, obligation.due) + timedelta(microseconds=1)
    held = run.roles.holders_between(role, obligation.due, end)
    return held[0] if len(held) == 1 else None


def _pending(policy: CompiledPolicy, run: Replay, obligation: Obligation) -> PendingObligation:
    assert obligation.missing_year is not None
    local = policy.calendar.local
    done = obligation.fulfilled_by
    person, _ = responsible(policy, run, obligation)
    return PendingObligation(
        key=obligation_key(obligation), duty=obligation.duty.id,
        duty_name=obligation.duty.title, case=obligation.case, person=person,
        role=obligation.duty.responsible, opened_at=local(obligation.opened_at),
        trigger_fact=obligation.trigger, missing_year=obligation.missing_year,
        due_not_before=local(obligation.due),
        fulfilled_at=local(done.at) if done is not None else None,
        fulfilled_by=done.ref() if done is not None else None)


# What is known of a (rule, due day) once one violation asked: the charge of every such
# violation, when lateness is not read (`CompiledPenalty.same_charge`: most kinds), else
# None and the charge of the version in force when lateness is on the clock (`on_the_clock`,
# `Schedule.charging`; None: `charge` is asked per violation)
_Known = tuple[PenaltyCharge | None, Callable[[timedelta], PenaltyCharge] | None]


class _Charger:
    """What a violation costs before its month is totalled, the month (of its deadline) and
    its deadline in the calendar's zone, with what is found once per evaluation kept."""

    def __init__(self, policy: CompiledPolicy) -> None:
        self.policy: Final = policy
        self.tz: Final = policy.calendar.tz
        # each duty's rule and the rule's id (a field of a Python class: read once)
        self.penalties: Final = {d.id: _rule_of(policy, d) for d in policy.duties.values()}
        # a due day -> its month, as text, and what is `_Known` of each rule's violations
        # due that day (a table per day: no (rule, day) tuple made and hashed per violation)
        self.days: Final[dict[date, tuple[str, dict[str, _Known]]]] = {}

    def charge(self, obligation: Obligation, duty_id: str, late_by: timedelta
               ) -> tuple[PenaltyCharge, str, datetime]:
        """(`duty_id`: the obligation's duty's id, read once by the caller.)"""
        tz = self.tz
        due = obligation.due
        if due.tzinfo is not tz:  # `_local`, inlined
            due = due.astimezone(tz)
        day = due.date()
        that_day = self.days.get(day)
        if that_day is None:
            that_day = self.days[day] = (f"{due.year:04d}-{due.month:02d}", {})
        month, known = that_day
        penalty, rule = self.penalties[duty_id]
        if penalty is None:
            return NO_PENALTY, month, due
        found = known.get(rule)
        if found is None:
            same = penalty.same_charge(day)
            version = penalty.on_the_clock(day) if same is None else None
            found = known[rule] = (same, version.charging if version is not None else None)
        charged, on_the_clock = found
        if charged is None:
            try:
                charged = (on_the_clock(late_by) if on_the_clock is not None
                           else penalty.charge(day, late_by, due))
            except CalendarDataMissing as exc:  # lateness in working time, a year unpublished
                charged = _charge_pending(self.policy, obligation.duty, penalty, due, exc)
        return charged, month, due


def _rule_of(policy: CompiledPolicy, duty: CompiledDuty) -> tuple[CompiledPenalty | None, str]:
    """A duty's penalty rule (None: none) and its id."""
    penalty = policy.penalties.get(duty.penalty) if duty.penalty else None
    return penalty, penalty.id if penalty is not None else ""


def _charge_pending(policy: CompiledPolicy, duty: CompiledDuty, penalty: CompiledPenalty | None,
                    due: datetime, exc: CalendarDataMissing) -> PenaltyCharge:
    assert penalty is not None
    if policy.calendar.is_before_data(exc.year):
        raise exc.with_context(f"penalty {penalty.id}, lateness in working time of duty "
                               f"{duty.id} due {due:%Y-%m-%d %H:%M}",
                               f"处罚 {penalty.id}：按工作时间计算职责 {duty.id}"
                               f"（截止 {due:%Y-%m-%d %H:%M}）迟了多久") from None
    return PenaltyCharge(penalty.id, ScheduleKind.NONE, Decimal(0),
                         detail=line("pen.lateness_pending", rule=penalty.id, year=exc.year))


class _Made:
    """The violations of duties, made as they are found, each with its `_DueKey` (in
    `keys`) and its person counted (in `counted`); those of kinds charged per month get their
    charge in its month once every charge is known (`fill`). Made without the frozen
    `__init__` (`made`, inlined): tens of thousands in a large history."""

    def __init__(self, policy: CompiledPolicy, as_of: datetime) -> None:
        self.policy: Final = policy
        self.as_of: Final = as_of
        self.tz: Final = policy.calendar.tz
        self.out: Final[list[Violation]] = []
        self.keys: Final[list[_DueKey]] = []
        self.counted: Final[dict[str | None, int]] = {}
        # those charged per month: each one's fields and its month's key (`group`)
        self.to_fill: Final[list[tuple[dict[str, Any], MonthKey]]] = []

    def add(self, obligation: Obligation, person: str | None, how: Line, status: Status,
            late_by: timedelta, duty: _Duty, charged: PenaltyCharge, month: str,
            due: datetime, month_key: MonthKey | None) -> None:
        """A violation: its obligation, as classified (an `Outcome`'s fields), charged, with
        the key of its person's month under its rule (`group`)."""
        done = obligation.fulfilled_by
        out = self.out
        violation: Violation = _NEW(Violation)
        case = obligation.case
        duty_id = duty.id
        # The fields set one by one in the instance's own dict, in their order (as `made`
        # does, without a dict of keywords made and copied first)
        fields = violation.__dict__
        fields["duty"] = duty_id
        fields["duty_name"] = duty.title
        fields["case"] = case
        fields["person"] = person
        fields["role"] = duty.role
        fields["due"] = due
        fields["fulfilled_at"] = _local(done.at, self.tz) if done is not None else None
        # `Fact.ref`'s first answer, inlined: the fulfilling fact's id, mostly
        fields["fulfilled_by"] = (done.id or done.ref()) if done is not None else None
        fields["late_by"] = late_by
        fields["month"] = month
        fields["trigger_fact"] = obligation.trigger
        fields["penalty"] = charged
        # Over the as-of, not the replay: a cached result must not keep every fact alive.
        fields["explain"] = Explanation(self.policy, self.as_of, obligation, person, how, status,
                                        late_by)
        fields["key"] = obligation_key(obligation)
        fields["status"] = status
        if month_key is not None and month_key[3] is not None:  # charged per month
            self.to_fill.append((fields, month_key))  # (`Months.in_month` keeps the rest)
        self.keys.append((due, duty_id, case or "", person or "", len(out)))
        counted = self.counted
        counted[person] = counted.get(person, 0) + 1
        out.append(violation)

    def fill(self, months: Months) -> None:
        """Each charge of a kind charged per month, in its month (in the order made)."""
        for fields, key in self.to_fill:  # not seen by anyone yet: the charge set in place
            fields["penalty"] = months.filled(key, fields["penalty"])


def _explained(policy: CompiledPolicy, as_of: datetime, outcome: Outcome) -> tuple[Line, ...]:
    return tuple(explain_at(policy, as_of, outcome))


class Explanation:
    """A violation of a duty's `explain`: `_explained(policy, as_of, outcome)` when called.
    (A native class: one object per violation, where a `partial` made an argument tuple,
    its slice and a dict of keywords through a call of the type; tens of thousands in a
    large history. It keeps the `Outcome`'s fields, the tuple made only when asked: a
    tuple subclass is made through a call of its type.) service/rows.py keys its rendered
    rows on `as_of` and `outcome`."""

    def __init__(self, policy: CompiledPolicy, as_of: datetime, obligation: Obligation,
                 person: str | None, how_found: Line, status: Status,
                 late_by: timedelta) -> None:
        self.policy: Final = policy
        self.as_of: Final = as_of
        self.obligation: Final = obligation
        self.person: Final = person
        self.how_found: Final = how_found
        self.status: Final = status
        self.late_by: Final = late_by

    @property
    def outcome(self) -> Outcome:
        """The violation's obligation, as classified at `as_of`."""
        return Outcome(self.obligation, self.person, self.how_found, self.status, self.late_by)

    def __call__(self) -> tuple[Line, ...]:
        return _explained(self.policy, self.as_of, self.outcome)

    def __reduce__(self) -> tuple[type[Explanation], tuple[Any, ...]]:
        return Explanation, (self.policy, self.as_of, self.obligation, self.person,
                             self.how_found, self.status, self.late_by)  # native: by a call


def explain(policy: CompiledPolicy, run: Replay, outcome: Outcome) -> list[Line]:
    """The steps a reader follows to check a deadline and its verdict by hand."""
    return explain_at(policy, run.as_of, outcome)


def explain_at(policy: CompiledPolicy, as_of: datetime, outcome: Outcome) -> list[Line]:
    """`explain` with only the replay's as-of: all the explanation reads of the replay."""
    obligation = outcome.obligation
    duty = obligation.duty
    clause = f" ({duty.spec.clause})" if duty.spec.clause else ""
    lines = [line("why.duty", duty=duty.id, name=duty.title, clause=clause)]
    trigger = obligation.trigger
    if trigger is not None:
        assert duty.deadline is not None
        lines.append(line("why.opened", type=trigger.type, ref=trigger.ref(),
                          at=policy.calendar.local(trigger.at),
                          by=f" ({trigger.actor})" if trigger.actor else ""))
        lines.append(line("why.rule", rule=duty.deadline.describe(trigger.at)))
        lines += _runs_from(policy, obligation)
        anchor = obligation.anchor
        try:
            _, steps = duty.deadline.explain(trigger.at, trigger.attrs,
                                             start=anchor.at if anchor is not None else None)
        except CalendarDataMissing as exc:  # pending, or a pending deadline a delay replaced
            steps = [line("pending.why", year=exc.year,
                          earliest=policy.calendar.local(max(
                              trigger.at, policy.calendar.year_start(exc.year))))]
    else:
        rule = duty.recurring
        assert rule is not None
        lines.append(rule.period_line(policy.calendar.local(obligation.opened_at)))
        lines.append(line("why.rule", rule=rule.describe()))
        steps = rule.explain(rule.raw_of(obligation.opened_at))
    lines += steps
    lines += obligation.history or []
    if obligation.missing_year is not None:
        year = obligation.missing_year
        fulfil = obligation.fulfilled_by
        if fulfil is not None:
            lines.append(line("pending.fulfilled", type=fulfil.type, ref=fulfil.ref(),
                              at=policy.calendar.local(fulfil.at), year=year))
        else:
            lines.append(line("pending.waiting", as_of=policy.calendar.local(as_of),
                              year=year))
        lines.append(line("why.responsible", person=outcome.person or "(unknown)",
                          how=outcome.how_found))
        return lines
    lines.append(line("why.final", due=policy.calendar.local(obligation.due)))
    fulfil = obligation.fulfilled_by
    if fulfil is not None:
        lines.append(line("why.fulfilled" if outcome.violated else "why.met", type=fulfil.type,
                          ref=fulfil.ref(), at=policy.calendar.local(fulfil.at),
                          late=outcome.late_by))
    elif outcome.status is Status.OPEN:
        lines.append(line("why.pending", as_of=policy.calendar.local(as_of)))
    else:
        lines.append(line("why.open", fulfil=" / ".join(m.describe() for m in duty.fulfils),
                          as_of=policy.calendar.local(as_of), late=outcome.late_by))
    lines.append(line("why.responsible", person=outcome.person or "(unknown)",
                      how=outcome.how_found))
    return lines


def _runs_from(policy: CompiledPolicy, obligation: Obligation) -> list[Line]:
    """Which time a deadline `from` another fact ran from: that fact's, or the trigger's."""
    anchors, trigger = obligation.duty.anchors, obligation.trigger
    if anchors is None or trigger is None:
        return []
    spec = anchors.on(policy.calendar.local(trigger.at).date())
    if spec is None:
        return []
    anchor = obligation.anchor
    if anchor is not None:
        return [line("why.from", type=anchor.type, ref=anchor.ref(),
                     at=policy.calendar.local(anchor.at), join=spec.join,
                     value=anchor.attrs.get(spec.join))]
    value = trigger.attrs.get(spec.join)
    if value is None:
        return [line("why.from_no_join", type=spec.fact, join=spec.join)]
    return [line("why.from_trigger", type=spec.fact, join=spec.join, value=value)]


def _open(obligation: Obligation, person: str | None, status: Status) -> OpenObligation:
    duty = obligation.duty
    found: OpenObligation = object.__new__(OpenObligation)  # `made`, one call fewer
    fields = found.__dict__  # set one by one, in their order: no dict of keywords
    fields["duty"] = duty.id
    fields["duty_name"] = duty.title
    fields["case"] = obligation.case
    fields["person"] = person
    fields["role"] = duty.responsible
    fields["due"] = obligation.due
    fields["overdue"] = status is _MISSED
    fields["opened_at"] = obligation.opened_at
    fields["key"] = obligation_key(obligation)
    fields["trigger_fact"] = obligation.trigger
    return found


def _policy_stamp(policy: CompiledPolicy) -> dict[str, Any]:
    stamp: dict[str, Any] = {"id": policy.model.policy.id, "version": policy.model.policy.version}
    if policy.identity is not None:
        stamp.update(policy.identity.to_dict())
    return stamp
