"""pytest plugin: policyengine scenarios (.feature files) as tests, failures in plain words.

Registered through the `pytest11` entry point, so any project that installs policyengine
has it. It collects the .feature files under the folders named by the ini option
`policyengine_features` (and any .feature file named on the command line): per file one
"file check" item (parse errors, duplicate scenario names, outline mistakes: a broken file
fails alone, the other files still run) and one item per scenario or example row.

Failures are plain text without a Python traceback: a table mismatch as aligned rows, an
unknown step with its line (第 N 行) and the nearest known steps, a wrong keyword named.
`pytest --policyengine-steps` lists every step and exits.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from policyengine.bdd.lint import FeatureDoc, ScenarioCase
    from policyengine.bdd.world import RunContext

_CONTEXT = pytest.StashKey["RunContext"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("policyengine", "policyengine scenarios (.feature files)")
    group.addoption("--policyengine-steps", action="store_true", default=False,
                    help="list every scenario step (Chinese and English) with its meaning, "
                         "then exit")
    parser.addini("policyengine_features", type="paths", default=[],
                  help="folders whose .feature files are policyengine scenarios, e.g. features")
    parser.addini("policyengine_policy", default="policies",
                  help="the policy scenarios use unless they name one (file or folder, "
                       "relative to the rootdir; a folder of packs means its default pack, "
                       "and features/<pack>/ runs under <pack>); default: policies")


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("policyengine_steps"):
        from policyengine.bdd.catalog import render

        print(render("all"))
        return 0
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".feature":
        return None
    config = parent.config
    folders = [Path(p).resolve() for p in config.getini("policyengine_features")]
    resolved = file_path.resolve()
    ours = any(resolved == f or f in resolved.parents for f in folders)
    if not ours and not parent.session.isinitpath(file_path):
        return None
    return FeatureFile.from_parent(parent, path=file_path)


def _context(config: pytest.Config) -> RunContext:
    from policyengine.bdd.world import RunContext

    if _CONTEXT not in config.stash:
        config.stash[_CONTEXT] = RunContext(
            config.rootpath, str(config.getini("policyengine_policy") or "policies"),
            features=tuple(Path(p) for p in config.getini("policyengine_features")))
    return config.stash[_CONTEXT]


class FeatureFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from policyengine.bdd.lint import read_feature
        from policyengine.bdd.normalize import say

        doc = read_feature(self.path)
        yield FeatureCheck.from_parent(self, name=say(doc.lang, "文件检查", "file check"), doc=doc)
        for case in doc.cases:
            yield ScenarioItem.from_parent(self, name=case.item_name, doc=doc, case=case)


class _Readable(pytest.Item):
    """An item whose expected failures are shown as plain text."""

    doc: FeatureDoc

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        from policyengine.bdd.failures import ScenarioFailure
        from policyengine.bdd.normalize import say

        error = excinfo.value
        if isinstance(error, ScenarioFailure):
            heading = say(self.doc.lang, error.heading_zh, error.heading_en)
            return f"{self._where()}：{heading}\n\n{error.message}" if self.doc.lang == "zh" \
                else f"{self._where()}: {heading}\n\n{error.message}"
        return super().repr_failure(excinfo, style)

    def _where(self) -> str:
        return str(self.path)

    def _relative(self) -> str:
        try:
            return str(self.path.relative_to(self.config.rootpath))
        except ValueError:
            return str(self.path)


class FeatureCheck(_Readable):
    def __init__(self, *, doc: FeatureDoc, **kwargs: Any):
        super().__init__(**kwargs)
        self.doc = doc

    def runtest(self) -> None:
        from policyengine.bdd.failures import FeatureFileError
        from policyengine.bdd.normalize import say

        problems = self.doc.problems
        if not problems:
            return
        lang = self.doc.lang
        lines = []
        for problem in problems:
            where = say(lang, f"第 {problem.line} 行：", f"line {problem.line}: ") \
                if problem.line else ""
            lines.append(f"  {where}{problem.text(lang)}")
            source = self.doc.line_text(problem.line)
            if problem.line and source.strip():
                lines.append(f"      {problem.line:>4} | {source}")
        if not self.doc.parsed:
            note = say(lang, "这个文件的场景都没有运行；其他文件照常运行。",
                       "None of this file's scenarios ran; the other files still run.")
        else:
            note = say(lang, "这个文件的场景照常运行；请修正上面的问题。",
                       "This file's scenarios still run; please fix the above.")
        raise FeatureFileError("\n".join([*lines, "", note]))

    def _where(self) -> str:
        from policyengine.bdd.normalize import say

        count = len(self.doc.problems)
        return say(self.doc.lang, f"{self._relative()} 有 {count} 个问题",
                   f"{self._relative()} has {count} problem(s)")

    def reportinfo(self) -> tuple[Path, int, str]:
        first = min((p.line for p in self.doc.problems if p.line), default=1)
        return self.path, first - 1, f"{self.path.name} {self.name}"


class ScenarioItem(_Readable):
    def __init__(self, *, doc: FeatureDoc, case: ScenarioCase, **kwargs: Any):
        super().__init__(**kwargs)
        self.doc = doc
        self.case = case
        self.extra_keyword_matches.update(case.tags)
        tags = {tag.lower() for tag in case.tags}
        if tags & {"skip", "跳过"}:
            self.add_marker(pytest.mark.skip(reason="@skip"))
        if tags & {"xfail", "已知问题"}:
            self.add_marker(pytest.mark.xfail(reason="@xfail: a known problem", strict=False))

    def runtest(self) -> None:
        from policyengine.bdd.runner import run_case

        run_case(self.case, self.doc, _context(self.config))

    def _where(self) -> str:
        from policyengine.bdd.normalize import say

        return say(self.doc.lang,
                   f"场景「{self.case.name}」（{self._relative()} 第 {self.case.line} 行）",
                   f"scenario '{self.case.name}' ({self._relative()}, line {self.case.line})")

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, self.name
