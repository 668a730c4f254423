"""The policyengine scenario steps as pytest-bdd step definitions, for teams whose suites run
on pytest-bdd (docs/writing-scenarios.en.md, "pytest-bdd").

    # conftest.py
    pytest_plugins = ["policyengine.bdd.pytest_bdd"]

    # test_rules.py
    from pytest_bdd import scenarios
    scenarios("features/rules.feature")

Every step of `policyengine steps` (Chinese and English) becomes one `given`/`when`/`then`
definition whose parser is the step's own templates, so pytest-bdd matches exactly what the
policyengine runner matches, and the step does what it does there. A scenario's state (its
policy, facts, result) is the `policyengine_world` fixture. The policy is the ini option
`policyengine_policy` (default: policies; a folder of packs means its default pack, a feature
under features/<pack>/ its pack, `Given the rule book NAME` any pack).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, then, when
from pytest_bdd.parser import Feature, Step
from pytest_bdd.parsers import StepParser

from policyengine.bdd.lint import StepCall, TableRow
from policyengine.bdd.steps import STEPS
from policyengine.bdd.vocabulary import StepDef
from policyengine.bdd.world import RunContext, World

_CONTEXT = pytest.StashKey[RunContext]()
_FEATURE = pytest.StashKey[Feature]()
_STEP = pytest.StashKey[Step]()


class StepTemplates(StepParser):
    """Matches the texts one policyengine step matches (its templates, normalised as the
    policyengine runner does); the values of its slots are the argument `policyengine_args`."""

    def __init__(self, step: StepDef):
        super().__init__(f"policyengine {step.kind} {step.name}")
        self.step = step

    def _values(self, name: str) -> dict[str, str] | None:
        # the first step of this kind that matches wins, as in the policyengine runner
        for found, values in STEPS.match(name):
            if found.kind == self.step.kind:
                return values if found is self.step else None
        return None

    def is_matching(self, name: str) -> bool:
        return self._values(name) is not None

    def parse_arguments(self, name: str) -> dict[str, Any] | None:
        values = self._values(name)
        return None if values is None else {"policyengine_args": values}


def _context(config: pytest.Config) -> RunContext:
    if _CONTEXT not in config.stash:
        try:  # the ini options of policyengine's own plugin, when it is loaded
            policy = str(config.getini("policyengine_policy") or "policies")
            roots = [Path(p) for p in config.getini("policyengine_features")]
        except ValueError:
            policy, roots = "policies", []
        config.stash[_CONTEXT] = RunContext(
            config.rootpath, policy, features=tuple(roots or [config.rootpath / "features"]))
    return config.stash[_CONTEXT]


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature,
                               scenario: Any) -> None:
    request.node.stash[_FEATURE] = feature


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Feature, scenario: Any,
                           step: Step, step_func: Callable[..., object]) -> None:
    request.node.stash[_STEP] = step


@pytest.fixture
def policyengine_world(request: pytest.FixtureRequest) -> World:
    """One scenario's policy, facts and result (policyengine.bdd.world)."""
    feature = request.node.stash[_FEATURE]
    lang = "zh" if feature.language.lower().startswith("zh") else "en"
    return World(_context(request.config), Path(feature.filename), lang)


def _call(step: Step) -> StepCall:
    """pytest-bdd's step as the policyengine step functions read it."""
    table = None
    if step.datatable is not None:
        table = tuple(TableRow(row.location.line, tuple(str(cell.value) for cell in row.cells))
                      for row in step.datatable.rows)
    kind = step.type if step.type in ("given", "when", "then") else None
    return StepCall(step.keyword, kind, step.name, step.line_number,  # type: ignore[arg-type]
                    table, step.docstring, step.line_number + 1 if step.docstring else 0)


def _runner(definition: StepDef) -> Callable[..., None]:
    def run(policyengine_world: World, policyengine_args: dict[str, str],
            request: pytest.FixtureRequest) -> None:
        definition.func(policyengine_world, policyengine_args, _call(request.node.stash[_STEP]))

    run.__name__ = f"policyengine_{definition.kind}_{definition.name.replace('-', '_')}"
    return run


_DECORATORS = {"given": given, "when": when, "then": then}
# At module level: pytest-bdd puts each definition (a fixture) in the calling module, this one.
for _definition in STEPS.steps:
    _DECORATORS[_definition.kind](StepTemplates(_definition))(_runner(_definition))
