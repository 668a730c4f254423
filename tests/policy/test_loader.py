"""The policy loader: the shipped policy loads; every mistake is reported as
`file:line:col: CODE: message`, all of a file's mistakes in one run.

tests/policy/good/tiny.yaml is a small complete policy; each file in tests/policy/broken/
is a copy of it with one mistake (named in its first line). Line and column are counted by
hand in those files (1-based; the column of the offending key or value).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import POLICY_DIR, copy_policy, line_of

import policyengine as pe
from policyengine import PolicyError
from policyengine.policy.loader import load_policy_files

HERE = Path(__file__).parent
GOOD = HERE / "good" / "tiny.yaml"
BROKEN = HERE / "broken"


def diagnostics(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_files(path)
    return [str(d) for d in caught.value.diagnostics]


# -- what loads ----------------------------------------------------------------------------

def test_the_shipped_policy_loads() -> None:
    loaded = load_policy_files(POLICY_DIR)
    model = loaded.model
    assert model.policy.id == "customer-requirement-feedback"
    assert set(model.duties) == {
        "R1", "R2", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13", "R14",
        "R15", "R16", "R17", "B1", "B2", "B4", "W1", "W2", "W3", "W4", "C1", "C2", "C3"}
    assert set(model.penalties) == {"P1", "P2", "P3", "P4", "P5", "P6"}
    assert set(model.rewards) == {"A1", "A2", "A3", "M1"}
    assert sorted(loaded.identity.files) == [
        "duties.yaml", "penalties.yaml", "policy.yaml", "rewards.yaml", "vocabulary.yaml"]
    assert loaded.identity.content_hash.startswith("sha256:")


def test_the_shipped_policy_reads_as_the_spec_says() -> None:
    model = load_policy_files(POLICY_DIR).model
    # 18:00 stays a clock time, not the YAML 1.1 base-60 number 1080
    assert model.calendar.working_hours.end == "18:00"
    assert model.calendar.timezone == "Asia/Shanghai"
    p6 = model.penalties["P6"].versions[0].lateness
    assert p6 is not None
    assert [(t.over.days, t.up_to.days if t.up_to else None, t.amount, t.forfeit)
            for t in p6] == [(0, 1, 20, False), (1, 7, 100, False), (7, None, None, True)]
    tiers = model.penalties["P3"].versions[0].monthly_count
    assert tiers is not None
    assert [(t.from_, t.to, t.amount, t.forfeit) for t in tiers] == [
        (1, 5, 20, False), (6, 10, 50, False), (11, None, None, True)]


def test_the_tiny_policy_loads() -> None:
    model = load_policy_files(GOOD).model
    assert list(model.duties) == ["R1"]


def test_the_content_hash_changes_with_the_text(tmp_path: Path) -> None:
    before = load_policy_files(POLICY_DIR).identity.content_hash
    folder = copy_policy(tmp_path / "p", [("policy.yaml", 'version: "1.0"', 'version: "1.1"')])
    assert load_policy_files(folder).identity.content_hash != before


def test_a_full_width_colon_inside_a_value_is_fine(tmp_path: Path) -> None:
    # '：' in Chinese text is ordinary; only after a key is it a mistake.
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD.read_text(encoding="utf-8").replace("name: 小制度", "name: 小制度：测试"),
                    encoding="utf-8")
    assert load_policy_files(path).model.policy.name == "小制度：测试"


# -- one mistake per file ------------------------------------------------------------------

ONE_MISTAKE = [
    ("yaml_tab.yaml", 27, 1, "E-YAML-TAB",
     "indented with a tab; YAML accepts spaces only: replace the tab with spaces, aligned "
     "with line 26"),
    ("unknown_key.yaml", 25, 5, "E-UNKNOWN-KEY",
     "unknown key 'fulfiled_by'; did you mean 'fulfilled_by'?"),
    ("unknown_section.yaml", 30, 1, "E-UNKNOWN-KEY",
     "unknown section 'penalty'; did you mean 'penalties'?"),
    ("duplicate_key.yaml", 18, 5, "E-DUPLICATE-KEY",
     "key 'case' appears twice in this mapping (first at line 17)"),
    ("wrong_type.yaml", 5, 12, "E-TYPE", "policy.version: Input should be a valid string"),
    ("wrong_amount.yaml", 34, 23, "E-TYPE", "per_instance: Input should be a valid decimal"),
    ("unknown_value.yaml", 18, 12, "E-UNKNOWN-VALUE",
     "'requried' is not allowed here; did you mean 'required'?"),
    ("bad_regex.yaml", 9, 14, "E-VALUE", "not a valid regular expression"),
    ("missing_key.yaml", 24, 5, "E-MISSING-KEY", "missing required key 'responsible'"),
    ("unknown_fact_type.yaml", 24, 14, "E-UNKNOWN-FACT-TYPE",
     "unknown fact type 'requirement.raise'; did you mean 'requirement.raised'?"),
    ("unknown_role.yaml", 27, 18, "E-UNKNOWN-ROLE",
     "unknown role 'reportor'; did you mean 'reporter'?"),
    ("ambiguous_unit.yaml", 26, 24, "E-AMBIGUOUS-UNIT",
     "'2 days' could be read two ways: write '2d' for 48 hours on the clock, or "
     "'2 working_days'"),
    ("missing_penalty.yaml", 28, 14, "E-UNKNOWN-PENALTY", "unknown penalty 'P9'"),
    ("tier_gap.yaml", 36, 20, "E-TIER-GAP",
     "this tier starts at 7 but the previous one ends at 5: write from: 6"),
    ("tier_overlap.yaml", 36, 20, "E-TIER-OVERLAP",
     "this tier starts at 5 but the previous one ends at 5: write from: 6"),
    ("effective_order.yaml", 35, 20, "E-EFFECTIVE-ORDER",
     "effective date 2010-01-01 must be after the previous version's 2014-07-01"),
    ("unknown_timezone.yaml", 3, 13, "E-VALUE", "unknown time zone 'Asia/Shangai'"),
]


@pytest.mark.parametrize(("name", "line", "col", "code", "phrase"), ONE_MISTAKE,
                         ids=[m[0] for m in ONE_MISTAKE])
def test_one_mistake_one_located_diagnostic(name: str, line: int, col: int, code: str,
                                            phrase: str) -> None:
    path = BROKEN / name
    [found] = diagnostics(path)
    assert found.startswith(f"{path}:{line}:{col}: {code}: "), found
    assert phrase in found


def test_every_broken_fixture_is_tested() -> None:
    tested = {m[0] for m in ONE_MISTAKE} | {"fullwidth_colon.yaml", "several_mistakes.yaml"}
    assert {p.name for p in BROKEN.glob("*.yaml")} == tested


def test_the_diagnostic_has_its_parts() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_files(BROKEN / "unknown_role.yaml")
    [d] = caught.value.diagnostics
    assert (d.location.file, d.location.line, d.location.column, d.code) == (
        str(BROKEN / "unknown_role.yaml"), 27, 18, "E-UNKNOWN-ROLE")
    assert d.to_dict()["code"] == "E-UNKNOWN-ROLE"


def test_full_width_colon_is_reported_on_its_line() -> None:
    path = BROKEN / "fullwidth_colon.yaml"
    [found] = diagnostics(path)
    assert found.startswith(f"{path}:27:"), found
    assert "E-YAML" in found
    assert "：" in found


def test_full_width_colon_is_at_least_an_error() -> None:
    # Whatever its place, the mistake is caught (and not read as a key 'responsible： reporter').
    [found] = diagnostics(BROKEN / "fullwidth_colon.yaml")
    assert ": E-YAML: " in found


# -- several mistakes: all reported at once, sorted by place ----------------------------------

def test_several_mistakes_are_all_reported_at_once() -> None:
    path = BROKEN / "several_mistakes.yaml"
    found = diagnostics(path)
    assert [f.split(": ")[0:2] for f in found] == [
        [f"{path}:22:11", "E-UNKNOWN-CASE-KIND"],   # case: requirment
        [f"{path}:28:24", "E-AMBIGUOUS-UNIT"],      # within: 2 days
        [f"{path}:32:14", "E-UNKNOWN-FACT-TYPE"],   # trigger: requirement.raisd
        [f"{path}:39:5", "E-UNKNOWN-KEY"],          # fulfiled_by
        [f"{path}:47:18", "E-UNKNOWN-ROLE"],        # responsible: collector
        [f"{path}:48:14", "E-UNKNOWN-PENALTY"],     # penalty: P9
        [f"{path}:56:20", "E-TIER-GAP"],            # from: 7 after to: 5
    ]
    assert "did you mean 'requirement'" in found[0]
    assert "did you mean 'requirement.raised'" in found[2]
    assert "write from: 6" in found[6]


def test_a_header_mistake_does_not_hide_the_others(tmp_path: Path) -> None:
    path = tmp_path / "several.yaml"
    path.write_text((BROKEN / "several_mistakes.yaml").read_text(encoding="utf-8")
                    .replace('version: "1"', "version: 1"), encoding="utf-8")
    codes = [f.split(": ")[1] for f in diagnostics(path)]
    assert codes == ["E-TYPE", "E-UNKNOWN-CASE-KIND", "E-AMBIGUOUS-UNIT", "E-UNKNOWN-FACT-TYPE",
                     "E-UNKNOWN-KEY", "E-UNKNOWN-ROLE", "E-UNKNOWN-PENALTY", "E-TIER-GAP"]


def test_a_duty_s_shape_mistake_does_not_hide_its_wrong_names(tmp_path: Path) -> None:
    # R1's deadline is invalid ('2 days'), so R1 is not read as a duty; the names its other
    # fields give are still checked: a misspelt fact type, role and penalty, each at its place
    path = tmp_path / "several.yaml"
    text = (BROKEN / "several_mistakes.yaml").read_text(encoding="utf-8")
    r1 = ("  R1:\n    trigger: requirement.raised\n    fulfilled_by: requirement.reported\n"
          "    deadline: {within: 2 days}\n    responsible: reporter\n    penalty: P1\n")
    assert r1 in text
    path.write_text(text.replace(r1, r1.replace("fulfilled_by: requirement.reported",
                                                "fulfilled_by: [requirement.reportd]")
                                 .replace("reporter", "reportr").replace("P1", "P8")),
                    encoding="utf-8")
    found = diagnostics(path)
    assert [f.split(": ")[0:2] for f in found][:5] == [
        [f"{path}:22:11", "E-UNKNOWN-CASE-KIND"],
        [f"{path}:27:19", "E-UNKNOWN-FACT-TYPE"],   # fulfilled_by: [requirement.reportd]
        [f"{path}:28:24", "E-AMBIGUOUS-UNIT"],      # within: 2 days (the shape mistake)
        [f"{path}:29:18", "E-UNKNOWN-ROLE"],        # responsible: reportr
        [f"{path}:30:14", "E-UNKNOWN-PENALTY"],     # penalty: P8
    ]
    assert "did you mean 'requirement.reported'" in found[1]
    assert "did you mean 'reporter'" in found[3]
    # told once each: the duty's valid fields are not checked twice
    assert len(found) == len(set(found)) == 10


def test_a_duplicate_key_does_not_hide_the_others(tmp_path: Path) -> None:
    # duplicate 'case' on line 18 and unknown role 'reportor' on line 27
    path = tmp_path / "two.yaml"
    path.write_text((BROKEN / "duplicate_key.yaml").read_text(encoding="utf-8")
                    .replace("responsible: reporter", "responsible: reportor"), encoding="utf-8")
    found = diagnostics(path)
    assert [f.split(": ")[0:2] for f in found] == [
        [f"{path}:18:5", "E-DUPLICATE-KEY"], [f"{path}:27:18", "E-UNKNOWN-ROLE"]]


# -- mistakes in a copy of the shipped policy folder -----------------------------------------

def test_bare_days_in_the_shipped_duties(tmp_path: Path) -> None:
    # R4's '2 working_days' written as '2 days'
    folder = copy_policy(tmp_path / "p", [(
        "duties.yaml", "    deadline: {within: 2 working_days, from:",
        "    deadline: {within: 2 days, from:")])
    file = folder / "duties.yaml"
    line = line_of(file, "{within: 2 days, from:")
    [found] = diagnostics(folder)
    # '    deadline: {within: ' is 23 characters: the value starts in column 24
    assert found.startswith(f"{file}:{line}:24: E-AMBIGUOUS-UNIT: duties.R4.deadline.within: ")


def test_lateness_tier_gap_in_the_shipped_penalties(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [(
        "penalties.yaml", "{over: 1d, up_to: 7d, amount: 100}",
        "{over: 2d, up_to: 7d, amount: 100}")])
    file = folder / "penalties.yaml"
    line = line_of(file, "{over: 2d, up_to: 7d")
    [found] = diagnostics(folder)
    # '          - {over: ' is 19 characters: the value is in column 20
    assert found.startswith(f"{file}:{line}:20: E-TIER-GAP: ")
    assert "write over: 1d" in found


def test_a_duty_defined_in_two_files(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p")
    extra = folder / "extra.yaml"
    extra.write_text("duties:\n  R4:\n    trigger: decision.made\n"
                     "    fulfilled_by: plan.estimated\n    deadline: {within: 1h}\n"
                     "    responsible: pm\n    penalty: none\n", encoding="utf-8")
    first = line_of(folder / "duties.yaml", "  R4:")
    [found] = diagnostics(folder)
    assert found.startswith(f"{extra}:2:3: E-DUPLICATE-KEY: duties.R4 is defined twice")
    assert f"{folder / 'duties.yaml'}:{first}:3" in found


def test_a_reward_naming_an_unknown_duty(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [(
        "rewards.yaml", "    kind: on_time\n    duties: [C1, C2, C3]",
        "    kind: on_time\n    duties: [C1, C2, C4]")])
    file = folder / "rewards.yaml"
    line = line_of(file, "duties: [C1, C2, C4]")
    [found] = diagnostics(folder)
    # '    duties: [C1, C2, ' is 21 characters: C4 is in column 22
    assert found.startswith(f"{file}:{line}:22: E-UNKNOWN-DUTY: unknown duty 'C4'")


def test_a_calendar_date_under_the_wrong_year(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [(
        "policy.yaml", "  years: {}", "  years:\n    2027:\n      holidays: {2026-12-31: 元旦}")])
    file = folder / "policy.yaml"
    line = line_of(file, "holidays: {2026-12-31")
    [found] = diagnostics(folder)
    # '      holidays: ' is 16 characters: the mapping starts in column 17
    assert found.startswith(f"{file}:{line}:17: E-VALUE: 2026-12-31 is listed under year 2027")


def test_a_folder_without_policy_files(tmp_path: Path) -> None:
    [found] = diagnostics(tmp_path)
    assert found.startswith(f"{tmp_path}: E-NO-POLICY: ")


def test_load_policy_compiles_and_raises_the_same_errors() -> None:
    assert pe.load_policy(GOOD).duties["R1"].responsible == "reporter"
    with pytest.raises(PolicyError):
        pe.load_policy(BROKEN / "unknown_role.yaml")
