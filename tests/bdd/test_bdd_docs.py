"""The pages for HR staff (docs/writing-scenarios.*.md) stay true: their examples run as
written, dropped into a project's features/ folder, and their list of steps is the real one."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from bdd_support import REPO, make_project, run_pytest

from policyengine.bdd.catalog import docs_section, render
from policyengine.bdd.steps import STEPS
from policyengine.cli import steps as steps_command

DOCS = {"zh": REPO / "docs" / "writing-scenarios.zh.md",
        "en": REPO / "docs" / "writing-scenarios.en.md"}
MARKERS = {"zh": "## policyengine 场景步骤（# language: zh-CN）",
           "en": "## policyengine scenario steps (# language: en)"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_step_list_in_the_docs_is_the_generated_one(lang: str) -> None:
    text = DOCS[lang].read_text(encoding="utf-8")
    assert MARKERS[lang] in text
    tail = text[text.index(MARKERS[lang]):]
    assert tail == docs_section(lang), (
        f"regenerate the end of {DOCS[lang].name} from '{MARKERS[lang]}' on with: "
        f"python -m policyengine.bdd.catalog {lang} --markdown")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_step_is_in_the_docs(lang: str) -> None:
    text = DOCS[lang].read_text(encoding="utf-8")
    for step in STEPS.steps:
        for template in step.templates_in(lang):
            assert template.display() in text, template.text


def test_the_worked_examples_run_as_written(tmp_path: Path) -> None:
    files = {}
    for lang, page in DOCS.items():
        blocks = re.findall(r"```gherkin\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
        assert blocks, f"{page.name} has no worked example"
        for number, block in enumerate(blocks):
            files[f"docs_{lang}_{number}.feature"] = block
    run = run_pytest(make_project(tmp_path, files=files), "-v")
    assert run.code == 0, run.out
    assert run.out.count("PASSED") >= 8


def test_policyengine_steps_command(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    steps_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["steps", "--policy", str(REPO / "policies")])
    assert args.run(args) == 0
    shown = capsys.readouterr().out
    assert "Who holds a role (collector, pm, it_lead, tester)" in shown
    assert "假如 以下事实：" in shown and "Given these facts:" in shown
    args = parser.parse_args(["steps", "--lang", "en", "--format", "markdown"])
    assert args.run(args) == 0
    shown = capsys.readouterr().out
    assert "- `Then {person} pays {amount} yuan" in shown and "假如" not in shown


def test_policyengine_steps_names_the_packs_roles_and_attributes(
        capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    steps_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["steps", "--policy", str(REPO / "policies"),
                              "--pack", "contract-performance", "--lang", "en"])
    assert args.run(args) == 0
    shown = capsys.readouterr().out
    assert "Who holds a role (cashier, legal, dept_head)" in shown
    [columns] = [text for text in shown.splitlines() if "the attributes needed" in text]
    assert "delivery_no" in columns and "tier" not in columns
    assert render("en") != shown
