"""policyengine's scenario sentences as pytest-bdd steps.

policyengine runs .feature files with its own pytest plugin. A project whose tests already
use pytest-bdd can have the same sentences (Chinese and English) next to its own steps:
copy this file into its tests. Each Given / When / Then step that none of the project's own
step definitions matches is handed to policyengine's sentence list; the project's policy is
the `policyengine_policy` ini option (default: policies), or a `Given the policy in PATH`
step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from policyengine.bdd.lint import StepCall, TableRow
from policyengine.bdd.runner import unknown_step
from policyengine.bdd.steps import STEPS
from policyengine.bdd.vocabulary import Kind
from policyengine.bdd.world import RunContext, World

_LANG = pytest.StashKey[str]()


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any,
                               scenario: Any) -> None:
    """Messages in the feature file's language (`# language: zh-CN` or en)."""
    request.node.stash[_LANG] = "zh" if str(feature.language).startswith("zh") else "en"


@pytest.fixture
def policyengine_world(request: pytest.FixtureRequest) -> World:
    """One scenario's state: the policy, roles, facts and the evaluation's result."""
    try:  # the ini option exists where policyengine's own plugin is loaded
        policy = str(request.config.getini("policyengine_policy") or "policies")
    except ValueError:
        policy = "policies"
    return World(RunContext(request.config.rootpath, policy), Path(str(request.path)),
                 request.node.stash.get(_LANG, "en"))


def _run(world: World, kind: Kind, text: str, datatable: list[list[str]] | None,
         docstring: str | None) -> None:
    table = None if datatable is None else tuple(
        TableRow(0, tuple(row)) for row in datatable)
    call = StepCall(keyword=kind.capitalize(), kind=kind, text=text, line=0, table=table,
                    docstring=docstring)
    found = [(step, args) for step, args in STEPS.match(text) if step.kind == kind]
    if not found:
        pytest.fail(unknown_step(call, world.lang), pytrace=False)
    step, args = found[0]
    step.func(world, args, call)


ANY = parsers.re(r"(?P<text>.+)")


# pytest-bdd passes a step's table as `datatable` and its doc string as `docstring` when the
# step has one; the defaults stand for a step without.
@given(ANY)
def _given(policyengine_world: World, text: str, datatable: list[list[str]] | None = None,
           docstring: str | None = None) -> None:
    _run(policyengine_world, "given", text, datatable, docstring)


@when(ANY)
def _when(policyengine_world: World, text: str, datatable: list[list[str]] | None = None,
          docstring: str | None = None) -> None:
    _run(policyengine_world, "when", text, datatable, docstring)


@then(ANY)
def _then(policyengine_world: World, text: str, datatable: list[list[str]] | None = None,
          docstring: str | None = None) -> None:
    _run(policyengine_world, "then", text, datatable, docstring)
