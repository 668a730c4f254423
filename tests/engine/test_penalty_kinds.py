"""Penalty schedules and reward kinds as classes with one registry each (engine/penalties,
engine/rewards), the kinds and statuses as StrEnums, and the capped_per_instance schedule
("each time 20 yuan, at most 100 in a month") as the worked example of adding a kind."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import REPORTER, amount, at, copy_policy, fact, october_base, of, run, shipped

import policyengine as pe
from policyengine import PolicyError
from policyengine.engine.penalties import SCHEDULES, Schedule, penalty_version_model, schedule
from policyengine.engine.penalties.capped_per_instance import CappedPerInstance, CappedTerms
from policyengine.engine.penalties.rules import NO_PENALTY
from policyengine.engine.rewards import REWARDS
from policyengine.engine.rewards.base import RewardRule
from policyengine.kinds import RewardKind, ScheduleKind, Status
from policyengine.policy.loader import load_policy_files
from policyengine.policy.model import PenaltyVersion, PenaltyVersionBase
from policyengine.policy.schema import policy_json_schema
from policyengine.results import PenaltyCharge

# -- the registries -------------------------------------------------------------------------


def test_every_schedule_kind_has_exactly_one_class() -> None:
    named = {k for k in ScheduleKind if k is not ScheduleKind.NONE}
    assert set(SCHEDULES) == named
    for kind, cls in SCHEDULES.items():
        assert cls.kind is kind
        assert issubclass(cls, Schedule)


def test_every_reward_kind_has_exactly_one_class() -> None:
    assert set(REWARDS) == set(RewardKind)
    for kind, cls in REWARDS.items():
        assert cls.kind is kind
        assert issubclass(cls, RewardRule)
    assert [k for k, cls in REWARDS.items() if not cls.quarterly] == [RewardKind.EARLY_MERIT]


def test_a_version_has_one_key_per_registered_kind_in_enum_order() -> None:
    assert list(PenaltyVersion.model_fields) == [
        "effective", "per_instance", "monthly_count", "lateness", "capped_per_instance"]


def test_the_json_schema_describes_each_kind_from_its_own_module() -> None:
    schema = policy_json_schema()
    version = schema["$defs"]["PenaltyVersion"]["properties"]
    for kind, cls in SCHEDULES.items():
        assert version[kind.value]["description"] == cls.description
    assert schema["$defs"]["CappedTerms"]["required"] == ["each", "monthly_cap"]


def test_a_kind_must_have_a_key_name_and_be_registered_once() -> None:
    # The registry is open (D22): any lower-case name may be a kind (a plug-in module, see
    # test_penalty_kind_plugin.py); what is refused is a name that cannot be a YAML key of a
    # version (or is taken: `none`, `effective`), and a second class for one name.
    with pytest.raises(TypeError, match="registered twice"):
        schedule(type("Again", (CappedPerInstance,), {}))
    for wrong in ("Weekly cap", "none", "effective", ""):
        with pytest.raises(TypeError, match="lower-case name"):
            schedule(type("Nameless", (CappedPerInstance,), {"kind": wrong}))
    assert SCHEDULES[ScheduleKind.CAPPED_PER_INSTANCE] is CappedPerInstance
    assert set(SCHEDULES) == {k for k in ScheduleKind if k is not ScheduleKind.NONE}


def test_a_name_without_a_module_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(SCHEDULES, ScheduleKind.CAPPED_PER_INSTANCE)
    with pytest.raises(RuntimeError, match=r"registers the schedule kind\(s\) capped_per_instance"):
        penalty_version_model(PenaltyVersionBase)


def test_the_compiled_policy_holds_each_rule_and_reward_as_its_kind() -> None:
    policy = shipped()
    kinds = {name: [v.kind for v in rule.versions] for name, rule in policy.penalties.items()}
    assert kinds == {"P1": ["per_instance"], "P2": ["per_instance"], "P3": ["monthly_count"],
                     "P4": ["monthly_count"], "P5": ["monthly_count"], "P6": ["lateness"]}
    assert {name: rule.kind for name, rule in policy.rewards.items()} == {
        "A1": RewardKind.ON_TIME, "A2": RewardKind.EARLY_MAJOR, "A3": RewardKind.NO_OMISSION,
        "M1": RewardKind.EARLY_MERIT}


# -- StrEnums read as their values ----------------------------------------------------------


def test_kinds_and_statuses_serialise_as_their_values() -> None:
    charge = PenaltyCharge("P3", ScheduleKind.MONTHLY_COUNT, None)
    assert json.loads(json.dumps(charge.to_dict()))["schedule"] == "monthly_count"
    assert f"{ScheduleKind.LATENESS}" == str(ScheduleKind.LATENESS) == "lateness"
    assert charge.schedule == "monthly_count"  # text comparisons (reports) still hold
    assert NO_PENALTY.schedule is ScheduleKind.NONE
    assert json.dumps([Status.MET, RewardKind.ON_TIME]) == '["met", "on_time"]'


def test_a_violation_carries_enum_members() -> None:
    facts = [*october_base(),
             fact("bug.found", "2026-10-13 10:00", case="B26101301", actor=REPORTER)]
    [violation] = of(run(facts), "B1")
    assert violation.penalty.schedule is ScheduleKind.PER_INSTANCE


def test_an_outcome_status_is_a_status() -> None:
    from policyengine.engine.evaluate import status_of
    from policyengine.engine.replay import replay

    policy = shipped()
    facts = [*october_base(),
             fact("bug.found", "2026-10-13 10:00", case="B26101301", actor=REPORTER),
             fact("bug.found", "2026-10-14 10:00", case="B26101401", actor=REPORTER),
             fact("bug.reported", "2026-10-14 11:00", case="B26101401"),
             fact("bug.found", "2026-10-30 10:00", case="B26103001", actor=REPORTER)]
    done = replay(policy, facts, at("2026-10-30 12:00"))
    statuses = {o.case: status_of(o, done.as_of)[0] for o in done.obligations
                if o.duty.id == "B1"}
    assert statuses == {"B26101301": Status.MISSED, "B26101401": Status.MET,
                        "B26103001": Status.OPEN}
    assert all(type(s) is Status for s in statuses.values())


# -- capped_per_instance, unit by unit ------------------------------------------------------


def capped(each: int = 20, cap: int = 100) -> CappedPerInstance:
    terms = CappedTerms(each=Decimal(each), monthly_cap=Decimal(cap))
    return CappedPerInstance.compile("P9", date(2026, 10, 1), terms)


def test_capped_charges_each_violation_its_amount() -> None:
    charge = capped().charge(timedelta(hours=3))
    assert (charge.rule, charge.schedule, charge.amount, charge.forfeit, charge.effective) == (
        "P9", ScheduleKind.CAPPED_PER_INSTANCE, Decimal(20), False, date(2026, 10, 1))
    assert charge.detail.render("en") == (
        "P9 as in force from 2026-10-01: 20 yuan each time, at most 100 yuan a month")
    assert charge.detail.render("zh") == "P9（2026-10-01 起生效）：每次 20 元，每月最多 100 元"


@pytest.mark.parametrize(("count", "yuan", "over"), [
    (1, 20, False), (4, 80, False), (5, 100, False), (6, 100, True), (12, 100, True)])
def test_capped_month_is_the_sum_up_to_the_cap(count: int, yuan: int, over: bool) -> None:
    schedule_ = capped()
    month = schedule_.month_line("2026-10", [schedule_.charge(timedelta(0))] * count)
    assert (month.rule, month.month, month.count, month.amount, month.forfeit) == (
        "P9", "2026-10", count, Decimal(yuan), False)
    text = month.detail.render("en")
    if over:
        assert text == (f"P9 2026-10: {count} × P9 come to {20 * count} yuan, over the cap: "
                        "100 yuan for the month")
    else:
        assert text == f"P9 2026-10: {count} × P9: {yuan} yuan (at most 100 yuan a month)"


def test_capped_each_violation_keeps_its_amount_and_learns_its_month() -> None:
    schedule_ = capped()
    charge = schedule_.charge(timedelta(0))
    month = schedule_.month_line("2026-10", [charge] * 7)
    filled = CappedPerInstance.in_month(charge, month)
    assert (filled.amount, filled.count_in_month, filled.month_amount, filled.detail) == (
        Decimal(20), 7, Decimal(100), charge.detail)


@pytest.mark.parametrize(("effective", "each", "cap", "problems"), [
    (date(2026, 10, 1), 20, 100, []),
    (date(2026, 10, 1), 20, 20, []),
    (date(2026, 10, 15), 20, 100, [(("effective",), "E-VALUE")]),
    (date(2026, 10, 1), 20, 10, [(("capped_per_instance", "monthly_cap"), "E-VALUE")]),
])
def test_capped_checks(effective: date, each: int, cap: int,
                       problems: list[tuple[tuple[str, ...], str]]) -> None:
    terms = CappedTerms(each=Decimal(each), monthly_cap=Decimal(cap))
    found = CappedPerInstance.check(terms, effective)
    assert [(p.path, p.code) for p in found] == problems


# -- capped_per_instance through the loader and the evaluation -------------------------------

P1_TEXT = "        per_instance: 20\n  P2:"


def capped_policy(tmp_path: Path, terms: str, effective: str = "2014-07-01") -> Path:
    """The shipped policy with P1 (report a bug the same day, B1) as a capped schedule."""
    return copy_policy(tmp_path / "policies", [(
        "penalties.yaml", f"      - effective: 2014-07-01\n{P1_TEXT}",
        f"      - effective: {effective}\n        capped_per_instance: {terms}\n  P2:")])


def b1_misses(n: int, policy: pe.CompiledPolicy) -> list[pe.Fact]:
    """n bugs found on working days of October and never reported: n B1 violations (P1)."""
    days = ["2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15", "2026-10-16",
            "2026-10-19", "2026-10-20", "2026-10-21"]
    return [fact("bug.found", f"{days[i]} 10:00", case=f"B{days[i][2:].replace('-', '')}01",
                 actor=REPORTER, policy=policy) for i in range(n)]


@pytest.mark.parametrize(("misses", "yuan"), [(2, 40), (5, 100), (7, 100)])
def test_a_capped_rule_caps_the_persons_month(tmp_path: Path, misses: int, yuan: int) -> None:
    policy = pe.load_policy(capped_policy(tmp_path, "{each: 20, monthly_cap: 100}"))
    result = run([*october_base(), *b1_misses(misses, policy)], policy=policy)
    violations = of(result, "B1")
    assert len(violations) == misses
    assert {(v.penalty.schedule, v.penalty.amount) for v in violations} == {
        (ScheduleKind.CAPPED_PER_INSTANCE, Decimal(20))}
    assert amount(result, REPORTER) == Decimal(yuan)
    total = result.person(REPORTER)
    assert total is not None
    [line] = total.lines
    assert (line.rule, line.month, line.count, line.amount) == (
        "P1", "2026-10", misses, Decimal(yuan))
    as_json = json.loads(json.dumps(result.to_dict()))
    assert {v["penalty"]["schedule"] for v in as_json["violations"]} == {"capped_per_instance"}


def test_the_cap_is_per_person_and_month(tmp_path: Path) -> None:
    policy = pe.load_policy(capped_policy(tmp_path, "{each: 20, monthly_cap: 50}"))
    october = b1_misses(3, policy)
    november = [fact("bug.found", f"2026-11-0{d} 10:00", case=f"B2611040{d}", actor=REPORTER,
                     policy=policy) for d in (2, 3, 4)]
    other = [fact("bug.found", "2026-10-22 10:00", case="B26102201", actor="张三",
                  policy=policy)]
    result = run([*october_base(), *october, *november, *other], period="2026-Q4",
                 as_of="2026-12-01 00:00", policy=policy)
    reporter = result.person(REPORTER)
    assert reporter is not None
    assert [(x.month, x.count, x.amount) for x in reporter.lines] == [
        ("2026-10", 3, Decimal(50)), ("2026-11", 3, Decimal(50))]
    assert amount(result, "张三") == Decimal(20)


def test_a_cap_below_one_violation_is_a_located_error(tmp_path: Path) -> None:
    folder = capped_policy(tmp_path, "{each: 20, monthly_cap: 10}")
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    [found] = [str(d) for d in caught.value.diagnostics]
    assert found.startswith(f"{folder / 'penalties.yaml'}:13:"), found
    assert "E-VALUE" in found and "monthly cap (10) is below" in found


def test_a_capped_schedule_starts_on_the_first_of_a_month(tmp_path: Path) -> None:
    folder = capped_policy(tmp_path, "{each: 20, monthly_cap: 100}", effective="2014-07-15")
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    [found] = [str(d) for d in caught.value.diagnostics]
    assert ": E-VALUE: a capped_per_instance schedule counts whole months" in found


def test_a_misspelt_schedule_key_suggests_the_kind(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "policies", [
        ("penalties.yaml", P1_TEXT, "        capped_per_instanse: {each: 20, monthly_cap: 9}\n"
                                    "  P2:")])
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    [found] = [str(d) for d in caught.value.diagnostics]
    assert found.endswith("E-UNKNOWN-KEY: unknown key 'capped_per_instanse'; did you mean "
                          "'capped_per_instance'?"), found


def test_two_schedules_in_one_version_name_every_kind(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "policies", [
        ("penalties.yaml", P1_TEXT, "        per_instance: 20\n"
                                    "        capped_per_instance: {each: 20, monthly_cap: 90}\n"
                                    "  P2:")])
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    [found] = [str(d) for d in caught.value.diagnostics]
    assert found.endswith("give exactly one schedule: per_instance, monthly_count, lateness or "
                          "capped_per_instance"), found


def test_a_misspelt_reward_kind_is_an_unknown_value_with_a_suggestion(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "policies", [
        ("rewards.yaml", "kind: on_time", "kind: ontime")])
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    [found] = [str(d) for d in caught.value.diagnostics]
    assert found.endswith(": E-UNKNOWN-VALUE: rewards.A1.kind: 'ontime' is not allowed here; "
                          "did you mean 'on_time'?"), found
