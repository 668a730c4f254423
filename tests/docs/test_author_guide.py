"""The author's guide (docs/writing-a-rule-book.*.md) stays true.

Every ```yaml block of the guide says what it is in its first line: `# example: complete` (a
whole policy: it must pass `policyengine check` on its own) or `# from: PATH` (an excerpt: it
must stand, line for line, in that file of a pack that passes `check`). Every ```gherkin block
is one of the example pack's feature files, word for word, and its scenarios pass. The sample
month gives the figures the guide works out by hand.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policyengine.bdd.failures import ScenarioFailure
from policyengine.bdd.lint import parse_feature
from policyengine.bdd.runner import run_case
from policyengine.bdd.world import RunContext
from policyengine.cli.main import main

REPO = Path(__file__).resolve().parents[2]
GUIDES = {"zh": REPO / "docs" / "writing-a-rule-book.zh.md",
          "en": REPO / "docs" / "writing-a-rule-book.en.md"}
EXAMPLES = REPO / "docs" / "examples"
PACK = EXAMPLES / "contract-evidence"
COMPLETE = "# example: complete"
EXCERPT = re.compile(r"# from: (\S+)")


def blocks(kind: str) -> list[tuple[str, int, str]]:
    """(guide language, block number, text) of every fenced block of this kind."""
    found = []
    for lang, page in GUIDES.items():
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(rf"```{kind}\n(.*?)```", text, re.S)):
            found.append((lang, number, block))
    return found


YAML = blocks("yaml")
GHERKIN = blocks("gherkin")


def block_id(item: tuple[str, int, str]) -> str:
    return f"{item[0]}-{item[1]}"


def test_both_guides_have_examples() -> None:
    for lang in GUIDES:
        assert [b for b in YAML if b[0] == lang], f"the {lang} guide has no yaml block"
        assert [b for b in GHERKIN if b[0] == lang], f"the {lang} guide has no gherkin block"


@pytest.mark.parametrize("item", YAML, ids=block_id)
def test_every_yaml_block_says_what_it_is(item: tuple[str, int, str]) -> None:
    first = item[2].splitlines()[0]
    assert first == COMPLETE or EXCERPT.fullmatch(first), (
        f"block {block_id(item)} starts with {first!r}: write '{COMPLETE}' or '# from: PATH'")


def _in_file(excerpt: list[str], lines: list[str]) -> bool:
    """The excerpt's lines stand in `lines` one after the other, all indented the same more."""
    head = excerpt[0]
    for start, line in enumerate(lines):
        if not line.endswith(head) or line[: len(line) - len(head)].strip():
            continue
        indent = line[: len(line) - len(head)]
        window = lines[start:start + len(excerpt)]
        if len(window) == len(excerpt) and all(
                (indent + want).rstrip() == got.rstrip() if want.strip() else not got.strip()
                for want, got in zip(excerpt, window, strict=True)):
            return True
    return False


@pytest.mark.parametrize("item", [b for b in YAML if EXCERPT.match(b[2])], ids=block_id)
def test_an_excerpt_stands_in_its_file(item: tuple[str, int, str]) -> None:
    first, _, rest = item[2].partition("\n")
    match = EXCERPT.fullmatch(first)
    assert match is not None
    source = REPO / match.group(1)
    assert source.is_file(), f"block {block_id(item)} quotes {source}, which does not exist"
    excerpt = textwrap.dedent(rest).rstrip("\n").split("\n")
    lines = source.read_text(encoding="utf-8").split("\n")
    assert _in_file(excerpt, lines), (
        f"block {block_id(item)} is not, line for line, in {match.group(1)}:\n{rest}")


@pytest.mark.parametrize("item", [b for b in YAML if b[2].startswith(COMPLETE)], ids=block_id)
def test_a_complete_example_passes_check(item: tuple[str, int, str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(item[2], encoding="utf-8")
    code = main(["check", str(policy), "--lang", "en"])
    shown = capsys.readouterr()
    assert code == 0, shown.out + shown.err
    assert shown.out.startswith("ok: ")


def test_the_quoted_pack_passes_check(capsys: pytest.CaptureFixture[str]) -> None:
    quoted = {EXCERPT.match(b[2]).group(1).split("/")[2]  # type: ignore[union-attr]
              for b in YAML if EXCERPT.match(b[2])}
    assert quoted == {PACK.name}
    code = main(["check", str(PACK), "--lang", "en"])
    shown = capsys.readouterr()
    assert code == 0, shown.out + shown.err


FEATURES = sorted(EXAMPLES.glob("*/features/*.feature"))


@pytest.mark.parametrize("item", GHERKIN, ids=block_id)
def test_a_gherkin_block_is_an_example_file(item: tuple[str, int, str]) -> None:
    assert any(f.read_text(encoding="utf-8") == item[2] for f in FEATURES), (
        f"gherkin block {block_id(item)} is not word for word one of "
        f"{[str(f.relative_to(REPO)) for f in FEATURES]}")


def _cases() -> list[tuple[Path, str]]:
    found = []
    for path in FEATURES:
        doc = parse_feature(path.read_text(encoding="utf-8"), path)
        found += [(path, case.item_name) for case in doc.cases]
    return found


def test_every_example_feature_is_in_both_guides() -> None:
    for lang in GUIDES:
        texts = [b[2] for b in GHERKIN if b[0] == lang]
        for path in FEATURES:
            assert path.read_text(encoding="utf-8") in texts, f"{path.name} not in the {lang} guide"


@pytest.mark.parametrize("path,name", _cases(), ids=[n for _, n in _cases()])
def test_the_example_scenarios_pass(path: Path, name: str) -> None:
    doc = parse_feature(path.read_text(encoding="utf-8"), path)
    assert not doc.problems, [p.__dict__ for p in doc.problems]
    case = next(c for c in doc.cases if c.item_name == name)
    try:
        run_case(case, doc, RunContext(REPO))
    except ScenarioFailure as failure:
        pytest.fail(str(failure), pytrace=False)


def test_the_sample_month_gives_the_hand_worked_figures(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Worked out by hand in the guide (section 5.1): 张经办 50 (E1, the second delivery),
    # 周会计 20 + 500 + 500 (E2 in working time, X1 cash, X2 another payee), 吴行政 50 (E3);
    # E4 and E6 are violations that cost nothing.
    code = main(["evaluate", "--policy", str(PACK), "--facts", str(PACK / "facts-2026-10.jsonl"),
                 "--month", "2026-10", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    got = sorted((v["duty"], v["case"]) for v in result["violations"])
    assert got == sorted([("E1", "HT260101"), ("E2", "HT260101"), ("X1", "HT260101"),
                          ("X2", "HT260102"), ("E3", "HT260102"), ("E4", "HT260101"),
                          ("E6", "HT260101")])
    amounts = {p["person"]: p["amount"] for p in result["people"]}
    assert amounts == {"张经办": 50, "周会计": 1020, "吴行政": 50}


BRIDGE = EXAMPLES / "pytest-bdd"


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess, every installed plugin loaded as for a user (pytest-bdd too)."""
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o",
                           "addopts=", "-q",
                           *args], cwd=folder, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_pytest_bdd_runs_the_example_scenarios() -> None:
    # docs/examples/pytest-bdd: pytest_plugins = ["policyengine.bdd.pytest_bdd"] and scenarios()
    done = _pytest(REPO, str(BRIDGE.relative_to(REPO)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
