"""One line per requirement, as the registry needs it: who filed it, what was decided, the
committed date in force, delays, delivery. Read from the facts and the engine's replay.

The registry belongs to this rule book's vocabulary (a requirement is reported, decided,
estimated and accepted), so the fact types it reads are named here once and checked against
the policy: a policy without them gets an error that says which are missing, not a blank
table. Attributes are found by their declared type where the policy says it (the urgency
tier), and the committed delivery date comes from the policy's own duty: the one fulfilled
by the acceptance fact whose date can be moved by a delay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from policyengine.engine.compiled import CompiledDuty, CompiledPolicy
from policyengine.engine.ordering import dedupe, in_order
from policyengine.engine.replay import Replay, replay
from policyengine.errors import PolicyEngineError
from policyengine.facts.schema import Fact

SUMMARY_LIMIT = 50  # 需求梗概: 字数控制在50个字以内 (seed)


class ReportVocabularyError(PolicyEngineError):
    """The policy lacks a fact type or duty a report reads."""


# What the registry reads, by the part each fact type plays (shipped vocabulary names).
RAISED, REPORTED, DECIDED, ACCEPTED = ("requirement.raised", "requirement.reported",
                                       "decision.made", "requirement.accepted")
_NEEDED = {RAISED: "the customer's name (需求人)", REPORTED: "who filed the report (填表人)",
           DECIDED: "the decision (决策结果)", ACCEPTED: "the delivery date (实际交付日)"}
REQUESTER, SUMMARY, NOTE, DECISION, REASON = "requester", "summary", "note", "decision", "reason"
ADOPTED = frozenset({"do", "transform"})        # 做 / 需求转换
TRANSFORM = "transform"


@dataclass(frozen=True)
class Vocabulary:
    """The fact types and duties of a policy that the requirement reports read."""

    tier_attr: str | None          # the decision fact's attribute of type `tier`
    commitment: CompiledDuty       # the committed delivery date (预期交付日)

    @classmethod
    def of(cls, policy: CompiledPolicy, report: str) -> Vocabulary:
        types = policy.model.fact_types
        missing = [f"{name} ({why})" for name, why in _NEEDED.items() if name not in types]
        if not missing and DECISION not in types[DECIDED].attributes:
            missing.append(f"the '{DECISION}' attribute of {DECIDED}")
        if missing:
            raise ReportVocabularyError(
                f"E-REPORT-VOCABULARY: the {report} report reads fact types policy "
                f"'{policy.model.policy.id}' does not declare: {'; '.join(missing)}. It is "
                "written for the vocabulary of 《客户需求反馈及跟进制度》 "
                "(policies/customer-requirement/vocabulary.yaml)")
        tier = next((name for name, spec in types[DECIDED].attributes.items()
                     if spec.type == "tier"), None)
        commitment = next((d for d in policy.duties.values()
                           if d.fulfil.fact == ACCEPTED and d.extension is not None
                           and d.trigger is not None), None)
        if commitment is None:
            raise ReportVocabularyError(
                f"E-REPORT-VOCABULARY: the {report} report needs the duty that commits a "
                f"delivery date: one fulfilled by {ACCEPTED} with an extension (delays); policy "
                f"'{policy.model.policy.id}' has none")
        return cls(tier, commitment)


@dataclass(frozen=True)
class Delay:
    approved_at: datetime
    commitment: str | None   # the delay fact's `commitment` code (plan / acceptance / completion)
    new_date: date
    reason: str | None


@dataclass(frozen=True)
class Requirement:
    case: str
    reported_at: datetime
    filed_by: str | None
    requester: str | None
    decision: str | None       # the latest decision as of the report's time
    decided_at: datetime | None
    tier: str | None
    committed: date | None     # the committed delivery date in force (after approved delays)
    accepted_at: datetime | None
    delays: tuple[Delay, ...]  # approved delays that moved a committed date, in time order
    summary: str
    report_note: str
    transform_note: str

    @property
    def status(self) -> str | None:
        """completed once accepted; delayed while an approved delay moved a date; else blank."""
        if self.accepted_at is not None:
            return "completed"
        return "delayed" if self.delays else None

    @property
    def adopted(self) -> bool:
        return self.decision in ADOPTED

    @property
    def summary_too_long(self) -> bool:
        return len(self.summary) > SUMMARY_LIMIT


@dataclass(frozen=True)
class Casebook:
    as_of: datetime
    requirements: tuple[Requirement, ...]   # in case id order
    facts: tuple[Fact, ...]                 # every fact up to as_of, in time order
    run: Replay


def casebook(policy: CompiledPolicy, facts: Sequence[Fact], as_of: datetime,
             report: str) -> Casebook:
    vocabulary = Vocabulary.of(policy, report)
    unique, _ = dedupe(facts)
    seen = in_order([f for f in unique if f.at <= as_of])
    run = replay(policy, seen, as_of)
    by_case: dict[str, list[Fact]] = {}
    for fact in seen:
        if fact.case is not None:
            by_case.setdefault(fact.case, []).append(fact)
    rows = [_requirement(policy, vocabulary, run, case, case_facts)
            for case, case_facts in sorted(by_case.items())
            if any(f.type == REPORTED for f in case_facts)]
    return Casebook(as_of, tuple(rows), tuple(seen), run)


def _requirement(policy: CompiledPolicy, vocabulary: Vocabulary, run: Replay, case: str,
                 facts: list[Fact]) -> Requirement:
    def first(kind: str) -> Fact | None:
        return next((f for f in facts if f.type == kind), None)

    def last(kind: str) -> Fact | None:
        return next((f for f in reversed(facts) if f.type == kind), None)

    raised, report, decision, accepted = first(RAISED), first(REPORTED), last(DECIDED), \
        first(ACCEPTED)
    assert report is not None
    tier = decision.attrs.get(vocabulary.tier_attr) if decision and vocabulary.tier_attr else None
    transform_note = (str(decision.attrs.get(NOTE) or "")
                      if decision and decision.attrs.get(DECISION) == TRANSFORM else "")
    local = policy.calendar.local
    commitments = [o for o in run.obligations
                   if o.case == case and o.duty.id == vocabulary.commitment.id]
    committed = local(commitments[-1].due).date() if commitments else None
    return Requirement(
        case=case, reported_at=report.at, filed_by=report.actor,
        requester=str(raised.attrs.get(REQUESTER)) if raised and raised.attrs.get(REQUESTER)
        else None,
        decision=str(decision.attrs.get(DECISION)) if decision else None,
        decided_at=decision.at if decision else None, tier=str(tier) if tier else None,
        committed=committed, accepted_at=accepted.at if accepted else None,
        delays=_delays(policy, run, case, facts),
        summary=str(report.attrs.get(SUMMARY) or ""), report_note=str(report.attrs.get(NOTE) or ""),
        transform_note=transform_note)


def _delays(policy: CompiledPolicy, run: Replay, case: str, facts: list[Fact]) -> tuple[Delay, ...]:
    """Approved delays that moved a date: the replay's own record (`delay.approved` lines),
    joined to the approval fact for its commitment and to the request for its reason."""
    local = policy.calendar.local
    found = []
    for obligation in run.obligations:
        if obligation.case != case or obligation.duty.extension is None:
            continue
        extension = obligation.duty.extension
        for step in obligation.history or ():
            if step.key != "delay.approved":
                continue
            approved_at, new = step.args["at"], step.args["new"]
            approval = next((f for f in facts if f.at == approved_at
                             and f.type == extension.approved.fact
                             and extension.approved.matches(f)), None)
            requests = [f for f in facts if f.at <= approved_at
                        and f.type == extension.requested.fact and extension.requested.matches(f)]
            reason = ((approval.attrs.get(REASON) if approval else None)
                      or (requests[-1].attrs.get(REASON) if requests else None))
            commitment = approval.attrs.get("commitment") if approval else None
            found.append(Delay(approved_at, str(commitment) if commitment else None,
                               local(new).date(), str(reason) if reason else None))
    found.sort(key=lambda d: d.approved_at)
    return tuple(found)
