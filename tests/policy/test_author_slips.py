"""Slips of an author editing the shipped rule book that used to pass without a word: a
boolean written `yes`, a key the entry's kind never reads, a file saved as `rewards.yaml.txt`,
`language: cn`, a version whose year is mistyped into the future. Each is now refused (or,
for the year, warned of) at the line that holds it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, line_of

from policyengine import PolicyError
from policyengine.errors import Diagnostic
from policyengine.policy.loader import load_policy_files

PACK = REPO / "policies" / "customer-requirement"
CLI = Path(sys.executable).parent / "policyengine"


def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "customer-requirement"
    shutil.copytree(PACK, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> Path:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def refused(folder: Path) -> list[Diagnostic]:
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    return list(caught.value.diagnostics)


@pytest.mark.parametrize("written", ["yes", "on", '"true"', "1"])
def test_a_flag_takes_true_or_false_only(tmp_path: Path, written: str) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "vocabulary.yaml", "name_en: collector (资讯部)\n    assigned: true",
                f"name_en: collector (资讯部)\n    assigned: {written}")
    [found] = refused(folder)
    assert (found.code, found.location.line) == ("E-TYPE", line_of(path, f"assigned: {written}"))
    assert "true 或 false" in found.message_zh


def test_a_reward_key_its_kind_does_not_read_is_refused_at_the_key(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "rewards.yaml", "    kind: on_time\n    duties: [C1, C2, C3]\n",
                "    kind: on_time\n    duties: [C1, C2, C3]\n    role: collector  # slip\n")
    [found] = refused(folder)
    assert found.code == "E-UNUSED-KEY"
    assert found.location.line == line_of(path, "# slip")
    assert "'on_time' does not read 'role' (it reads duties, versions)" in found.message


def test_measure_on_a_penalty_without_lateness_tiers_is_refused(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "penalties.yaml", "    clause: 惩罚1 (每次扣绩效20元)\n",
                "    clause: 惩罚1 (每次扣绩效20元)\n    measure: working_time  # slip\n")
    [found] = refused(folder)
    assert (found.code, found.location.line) == ("E-UNUSED-KEY", line_of(path, "# slip"))


def test_an_extension_on_a_recurring_duty_is_refused(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", "    fulfilled_by: weekly_report.submitted\n",
                "    fulfilled_by: weekly_report.submitted\n"
                "    extension: {requested_by: delay.requested, approved_by: delay.approved}\n")
    [found] = refused(folder)
    assert found.code == "E-UNUSED-KEY"
    assert found.location.line == line_of(path, "extension: {requested_by")


def test_a_policy_file_saved_under_another_extension_is_named_not_skipped(
        tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "rewards.yaml").rename(folder / "rewards.yaml.txt")
    (folder / ".duties.yaml.swp").write_text("an editor's swap file", encoding="utf-8")
    [found] = refused(folder)
    assert found.code == "E-POLICY-FILE-NAME"
    assert found.location.file == str(folder / "rewards.yaml.txt")
    assert "rename it to 'rewards.yaml'" in found.message and "改名为“rewards.yaml”" in \
        found.message_zh


def test_a_policy_file_with_an_upper_case_extension_is_read(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "rewards.yaml").rename(folder / "rewards.YAML")
    model = load_policy_files(folder).model
    assert sorted(model.rewards) == sorted(load_policy_files(PACK).model.rewards)


@pytest.mark.parametrize(("written", "meant"), [("cn", "zh"), ("zh-CN", "zh"),
                                                ("english", "en")])
def test_a_language_code_of_another_form_says_the_one_meant(tmp_path: Path, written: str,
                                                            meant: str) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "policy.yaml", "language: zh ", f"language: {written} ")
    [found] = refused(folder)
    assert (found.code, found.location.line) == ("E-VALUE", line_of(path, "language:"))
    assert f"write '{meant}'" in found.message


def check_json(folder: Path, as_of: str) -> dict[str, object]:
    done = subprocess.run([str(CLI), "check", str(folder), "--format", "json", "--as-of", as_of],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_check_warns_of_a_penalty_with_no_version_in_force_yet(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder, "penalties.yaml", "2014-07-01\n        per_instance: 20\n  P2:",
         "2041-07-01\n        per_instance: 20\n  P2:")
    warnings = check_json(folder, "2026-06-01T09:00")["warnings"]
    assert isinstance(warnings, list)
    [warning] = [w for w in warnings if w["code"] == "W-NOT-YET-IN-FORCE"]
    assert "penalty P1 has no version in force on 2026-06-01" in warning["message"]
    assert "2041-07-01" in warning["message"]
    # the shipped rule book: every penalty and reward in force since 2014
    assert check_json(PACK, "2026-06-01T09:00")["warnings"] == []


def test_a_file_that_is_not_yaml_does_not_hide_the_other_files_entry_errors(
        tmp_path: Path) -> None:
    folder = copy(tmp_path)
    rewards = edit(folder, "rewards.yaml", "    kind: on_time\n    duties: [C1, C2, C3]\n",
                   "    kind： on_time\n    duties: [C1, C2, C3]\n")   # a full-width colon
    penalties = edit(folder, "penalties.yaml", "2014-07-01\n        per_instance: 20\n  P2:",
                     "2014-07-01\n        per_instance: -5\n  P2:")
    found = {(d.location.file, d.code) for d in refused(folder)}
    assert (str(rewards), "E-YAML") in {(f, c[:6]) for f, c in found}
    assert any(f == str(penalties) for f, _ in found), found


def test_a_case_example_that_its_pattern_refuses_is_refused(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    vocabulary = (folder / "vocabulary.yaml").read_text(encoding="utf-8")
    [example] = [line for line in vocabulary.splitlines() if "example:" in line][:1]
    path = edit(folder, "vocabulary.yaml", example, example.split("example:")[0]
                + 'example: "2610090"')
    [found] = refused(folder)
    assert (found.code, found.location.line) == ("E-VALUE", line_of(path, '"2610090"'))
    assert "the example '2610090' is not of the form its pattern describes" in found.message


def test_a_count_with_a_fraction_is_called_a_number_that_is_not_whole(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder, "penalties.yaml", "{from: 6, to: 10, amount: 50}",
         "{from: 5.5, to: 10, amount: 50}")
    found = [d for d in refused(folder) if d.code == "E-TYPE"]
    assert found and all("'5.5' has a fraction; write a whole number, e.g. 5" in d.message
                         and "这里应写整数" in d.message_zh for d in found), found


R1_RESPONSIBLE = "end_of_work}}\n    responsible: reporter\n    penalty: P1"


@pytest.mark.parametrize(("char", "en", "zh"), [
    ("\u00a0", "a no-break space (U+00A0)", "不间断空格（U+00A0）"),
    ("\u3000", "a full-width space (U+3000)", "全角空格（U+3000）")])
def test_a_space_that_only_looks_like_one_is_named_where_it_is(
        tmp_path: Path, char: str, en: str, zh: str) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", R1_RESPONSIBLE,
                R1_RESPONSIBLE.replace("    responsible", f"  {char} responsible"))
    [found] = refused(folder)
    # the reader stops a line later; the character is on the line before, at column 3
    assert (found.code, found.location.line, found.location.column) == (
        "E-YAML-SPACE", line_of(path, f"{char} responsible"), 3)
    assert f"{en} is written here" in found.message
    assert "replace it with ordinary spaces" in found.message
    assert zh in found.message_zh and "普通（半角）空格" in found.message_zh


def test_a_zero_width_space_inside_a_key_is_named_and_the_key_read_without_it(
        tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", R1_RESPONSIBLE,
                R1_RESPONSIBLE.replace("responsible", "respon\u200bsible"))
    [found] = refused(folder)  # not also an unknown key 'respon\u200bsible'
    assert (found.code, found.location.line, found.location.column) == (
        "E-YAML-SPACE", line_of(path, "respon\u200bsible"), 11)
    assert "a zero-width space (U+200B)" in found.message and "delete it" in found.message
    assert "零宽空格（U+200B）" in found.message_zh


@pytest.mark.parametrize(("old", "new", "seen", "code", "char_en", "char_zh"), [
    (R1_RESPONSIBLE, R1_RESPONSIBLE.replace("reporter", "repor\u200bter"), "reporter",
     "E-UNKNOWN-ROLE", "a zero-width space (U+200B)", "零宽空格（U+200B）"),
    ("    trigger: requirement.raised\n", "    trigger: requirement.raised\u00a0\n",
     "requirement.raised", "E-UNKNOWN-FACT-TYPE", "a no-break space (U+00A0)",
     "不间断空格（U+00A0）"),
])
def test_a_name_that_differs_by_a_character_that_cannot_be_seen_says_which(
        tmp_path: Path, old: str, new: str, seen: str, code: str, char_en: str,
        char_zh: str) -> None:
    # "unknown role 'reporter'; did you mean 'reporter'?" told nothing a person could see
    folder = copy(tmp_path)
    edit(folder, "duties.yaml", old, new)
    [found] = refused(folder)
    assert found.code == code
    assert f"it has {char_en} written inside it" in found.message
    assert f"so that it reads '{seen}'" in found.message and "did you mean" not in found.message
    assert f"看不见的{char_zh}：请删掉它，只留下“{seen}”" in found.message_zh


def test_full_width_spaces_opening_a_paragraph_of_a_text_block_are_text(
        tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder, "duties.yaml", "    name: 提需求\n",
         "    note: |\n      \u3000\u3000第一条 说明\n    name: 提需求\n")
    assert load_policy_files(folder).model.duties["R1"].note == "\u3000\u3000第一条 说明\n"


@pytest.mark.parametrize("emptied", ["", "# 职责 (duties): to be written\n"])
def test_an_emptied_duties_file_is_named_as_holding_no_duties(tmp_path: Path,
                                                              emptied: str) -> None:
    folder = copy(tmp_path)
    (folder / "duties.yaml").write_text(emptied, encoding="utf-8")
    [found] = refused(folder)
    assert (found.location.file, found.location.line, found.code) == (
        str(folder / "duties.yaml"), 1, "E-MISSING-KEY")
    assert "missing required key 'duties': this file holds none" in found.message
    assert "这个文件里一项也没有" in found.message_zh


def first_refusal(tmp_path: Path, name: str, old: str, new: str) -> tuple[Diagnostic, Path]:
    folder = copy(tmp_path / "refused")
    path = edit(folder, name, old, new)
    [found] = refused(folder)
    return found, path


@pytest.mark.parametrize(("written", "advice"), [("1天", "1d"), ("2日", "2d")])
def test_a_grace_in_days_is_told_the_clock_form_only(tmp_path: Path, written: str,
                                                     advice: str) -> None:
    # a grace is a duration: '1 working_day' would be refused there, so it is not offered
    found, path = first_refusal(tmp_path, "policy.yaml", "immediately_grace: 30m",
                                f"immediately_grace: {written}")
    assert (found.code, found.location.line) == ("E-VALUE", line_of(path, written))
    assert f"write '{advice}'" in found.message and "working_day" not in found.message
    folder = copy(tmp_path / "advised")
    edit(folder, "policy.yaml", "immediately_grace: 30m", f"immediately_grace: {advice}")
    assert load_policy_files(folder).model.calendar.immediately_grace.days == int(advice[0])


@pytest.mark.parametrize(("written", "code", "words"), [
    ("5000天", "E-TOO-LARGE", "'5000天' is longer than 3660 days"),
    ("0天", "E-VALUE", "a deadline of zero ('0天')")])
def test_days_that_neither_reading_takes_are_not_offered_as_either(
        tmp_path: Path, written: str, code: str, words: str) -> None:
    found, _ = first_refusal(tmp_path, "duties.yaml", "deadline: {within: 2 working_days}",
                             f"deadline: {{within: {written}}}")
    assert found.code == code and words in found.message
    assert "working_days" not in found.message


def test_a_percentage_where_a_fraction_is_read_is_told_the_fraction(tmp_path: Path) -> None:
    found, path = first_refusal(tmp_path, "rewards.yaml", "fraction: 0.5", "fraction: 50%")
    assert (found.code, found.location.line) == ("E-NUMBER-UNIT", line_of(path, "fraction: 50%"))
    assert "write the fraction alone, '0.5' (50% is 0.5; without '%')" in found.message
    assert "“0.5”" in found.message_zh
    assert load_policy_files(PACK).model.rewards["A2"].fraction == 0.5  # what it offers loads
    found, _ = first_refusal(tmp_path / "more", "rewards.yaml", "fraction: 0.5",
                             "fraction: 150%")
    assert "'150'" not in found.message and "e.g. 0.5 for 50%" in found.message


W1_RECURRING = "    recurring: {weekly: fri, at: morning_end}\n"


@pytest.mark.parametrize(("name", "old", "added", "where"), [
    ("duties.yaml", W1_RECURRING, "    per: trigger\n", "duties.W1.per"),
    ("duties.yaml", W1_RECURRING, "    deadline: {within: 2h}\n", "duties.W1.deadline"),
    ("vocabulary.yaml", "    actor_of: [requirement.raised, bug.found]\n",
     "    default: 张三\n", "roles.reporter.default")])
def test_a_key_the_entry_does_not_take_is_refused_at_the_key(
        tmp_path: Path, name: str, old: str, added: str, where: str) -> None:
    folder = copy(tmp_path)
    path = edit(folder, name, old, old + added)
    [found] = refused(folder)
    assert (found.code, found.location.line, found.location.column) == (
        "E-VALUE", line_of(path, added.strip()), 5)
    assert found.message.startswith(where + ": ")


R5_FULFILMENT = ("{fact: reporter.notified, where: {about: decision}}\n"
                 "    deadline: {within: 1h, from")


def test_an_empty_value_in_a_flow_mapping_is_located_at_the_value(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", R5_FULFILMENT,
                R5_FULFILMENT.replace("{about: decision}", "{about: }"))
    [found] = refused(folder)
    line = line_of(path, "{about: }")
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert (found.location.line, found.location.column) == (line, text.index("about: ") + 8)


def test_a_full_width_colon_in_a_flow_mapping_is_named_at_the_colon(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", R5_FULFILMENT,
                R5_FULFILMENT.replace("{about: decision}", "{about： decisoin}"))
    line = line_of(path, "about：")
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    colon, value = refused(folder)  # and the value after it is read, and checked, as meant
    assert (colon.code, colon.location.line, colon.location.column) == (
        "E-YAML", line, text.index("：") + 1)
    assert "full-width colon '：' after 'about'" in colon.message
    assert (value.code, value.location.column) == ("E-UNKNOWN-VALUE", text.index("decisoin") + 1)


@pytest.mark.parametrize(("name", "ascii_form", "full_width"), [
    ("penalties.yaml", "{from: 6, to: 10, amount: 50}", "{from: ６, to: １０, amount: ５０}"),
    ("penalties.yaml", "2014-07-01\n        per_instance: 20\n  P2:",
     "２０１４-07-01\n        per_instance: ２０\n  P2:"),
    ("rewards.yaml", "fraction: 0.5", "fraction: ０.５"),
    ("policy.yaml", 'end: "18:00"', 'end: "１８:００"'),
    ("duties.yaml", "deadline: {within: 2 working_days}", "deadline: {within: ２ working_days}")])
def test_full_width_digits_are_read_wherever_a_number_is(tmp_path: Path, name: str,
                                                         ascii_form: str,
                                                         full_width: str) -> None:
    # as amounts always were: a Chinese input method's '５０' is the number 50
    folder = copy(tmp_path)
    edit(folder, name, ascii_form, full_width)
    assert load_policy_files(folder).model == load_policy_files(PACK).model


def test_full_width_digits_in_chinese_text_stay_as_written(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder, "policy.yaml", "name: 客户需求反馈及跟进制度",
         "name: 客户需求反馈及跟进制度第２版")
    assert load_policy_files(folder).model.policy.name == "客户需求反馈及跟进制度第２版"


R1_END = "    responsible: reporter\n    penalty: P1\n  R2:"


def test_an_alias_to_another_files_anchor_says_anchors_stay_in_their_file(
        tmp_path: Path) -> None:
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", R1_END,
                R1_END.replace("  R2:", "    note: *monthly_tiers\n  R2:"))
    [found] = refused(folder)
    assert (found.code, found.location.line, found.location.column) == (
        "E-YAML-ALIAS", line_of(path, "*monthly_tiers"), 11)
    anchor = folder / "penalties.yaml"
    assert (f"the alias '*monthly_tiers' refers to the anchor '&monthly_tiers' of "
            f"{anchor}:{line_of(anchor, '&monthly_tiers')}:") in found.message
    assert "anchor reaches only the aliases of its own file" in found.message
    assert "每个文件是分开读取的" in found.message_zh


def test_an_alias_to_no_anchor_is_named(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    edit(folder, "duties.yaml", R1_END, R1_END.replace("  R2:", "    note: *nowhere\n  R2:"))
    [found] = refused(folder)
    assert found.code == "E-YAML-ALIAS"
    assert "the alias '*nowhere' names no anchor '&nowhere' above it" in found.message


def test_a_no_break_space_after_a_colon_in_braces_is_named_at_it(tmp_path: Path) -> None:
    # YAML reads '{about:\u00a0decisoin}' as one key with no value, without a word
    folder = copy(tmp_path)
    path = edit(folder, "duties.yaml", R5_FULFILMENT,
                R5_FULFILMENT.replace("{about: decision}", "{about:\u00a0decisoin}"))
    line = line_of(path, "{about:\u00a0")
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    space, value = refused(folder)
    assert (space.code, space.location.line, space.location.column) == (
        "E-YAML-SPACE", line, text.index("\u00a0") + 1)
    assert "a no-break space (U+00A0)" in space.message and "ordinary spaces" in space.message
    assert (value.code, value.location.column) == ("E-UNKNOWN-VALUE", text.index("decisoin") + 1)


def test_a_misspelt_section_is_told_once_not_also_missing(tmp_path: Path) -> None:
    # `casez:` was told unknown (did you mean 'cases'?) and 'cases' missing, at duties.yaml's
    # first line, a file that never held it.
    folder = copy(tmp_path)
    vocabulary = edit(folder, "vocabulary.yaml", "\ncases:\n", "\ncasez:\n")
    duties = edit(folder, "duties.yaml", "\nduties:\n", "\ndutis:\n")
    found = refused(folder)
    assert [(d.code, Path(d.location.file).name, d.location.line) for d in found] == [
        ("E-UNKNOWN-KEY", "duties.yaml", line_of(duties, "dutis:")),
        ("E-UNKNOWN-KEY", "vocabulary.yaml", line_of(vocabulary, "casez:")),
    ]
    assert "did you mean 'cases'?" in found[1].message


def test_a_slip_in_lines_an_alias_shares_is_told_once(tmp_path: Path) -> None:
    # P3's tiers are P4's and P5's too (`*monthly_tiers`): `from: 6次` there was told three
    # times at the same line, once per penalty reading it.
    folder = copy(tmp_path)
    path = edit(folder, "penalties.yaml", "{from: 6, to: 10, amount: 50}",
                "{from: 6次, to: 10, amount: 50}")
    [found] = refused(folder)
    assert (found.code, found.location.line) == ("E-NUMBER-UNIT", line_of(path, "from: 6次"))
    assert found.message.startswith("penalties.P3.versions.0.monthly_count.1.from: ")
    assert found.message.endswith(
        "(an alias shares these lines: they are also read as "
        "penalties.P4.versions.0.monthly_count.1.from, "
        "penalties.P5.versions.0.monthly_count.1.from)")
    assert "也作为 penalties.P4.versions.0.monthly_count.1.from, penalties.P5" in found.message_zh
