"""Obligations dropped as the replay goes (`replay(..., unread=...)`, used by `evaluate`) give
the very result the whole replay gives: on a generated stream of 20,000 facts, with
obligations dropped from the replay's list as they are met (`_State.met`)."""

from __future__ import annotations

import json

import pytest
from helpers import SAMPLE_FACTS, shipped
from test_workers import generated

import policyengine as pe
from policyengine.engine import replay as replay_module
from policyengine.engine.evaluate import _looked_at_when_met, evaluate_replay
from policyengine.engine.obligation import obligation_key
from policyengine.periods import Period


def _document(result: pe.EvaluationResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True, default=str)


@pytest.mark.parametrize("label", ["2021-02", "2021-Q1", None])
def test_dropping_closed_obligations_changes_nothing(label: str | None) -> None:
    policy = shipped()
    facts = pe.read_facts(generated(), policy).facts
    period = Period.parse(label) if label else None
    as_of = period.end_at(policy.calendar.tz) if period else max(f.at for f in facts)
    whole = replay_module.replay(policy, facts, as_of)
    expected = evaluate_replay(policy, whole, period)

    looked_at = _looked_at_when_met(policy, period)
    kept = replay_module.replay(policy, facts, as_of,
                                unread=[d for d in policy.duties if d not in looked_at])
    assert kept.total_obligations == len(whole.obligations)
    # many were dropped (about half with the shipped pack: R4, R5, R17 run from an anchor)
    assert len(kept.obligations) < len(whole.obligations) * 3 / 4
    assert _document(evaluate_replay(policy, kept, period)) == _document(expected)
    # and what `evaluate` itself gives (it drops them too)
    assert _document(pe.evaluate(policy, facts, period=period, as_of=as_of)) == _document(
        expected)


def test_obligations_timed_from_an_anchor_are_kept() -> None:
    # The sample month has meetings (meeting.ended times R4, R5, R17): a later meeting end
    # re-times obligations already fulfilled, so none of theirs may be dropped.
    policy = shipped()
    facts = pe.read_facts(SAMPLE_FACTS, policy).facts
    period = Period.parse("2026-10")
    as_of = period.end_at(policy.calendar.tz)
    anchored = {d for d, duty in policy.duties.items() if duty.anchors is not None}
    assert anchored
    whole = replay_module.replay(policy, facts, as_of)
    kept = replay_module.replay(policy, facts, as_of, unread=list(policy.duties))
    timed = [obligation_key(o) for o in whole.obligations if o.duty.id in anchored]
    assert timed
    assert [obligation_key(o) for o in kept.obligations if o.duty.id in anchored] == timed
    assert kept.total_obligations == len(whole.obligations) > len(kept.obligations)
    assert _document(evaluate_replay(policy, kept, period)) == _document(
        evaluate_replay(policy, whole, period))
