"""Gherkin scenarios for policies, written and read by business staff (Chinese and English).

How a .feature file flows: `lint` reads it on its own (normalised by `normalize`, parsed by
the official Gherkin parser; parse errors and duplicate names become located problems) ->
`runner` matches every step against the vocabulary (`vocabulary.STEPS`, filled by `steps`,
`expectations` and `verdicts`) -> the steps build a `world` (policy via `policies`, facts via
`facttable`, values via `values`) and evaluate it -> Then steps compare results with
`compare` (columns in `columns`). Failures are `failures.ScenarioFailure`, shown as plain
text by the pytest `plugin` (entry point `pytest11`), which collects the .feature files under
the folders of the ini option `policyengine_features`. `catalog` lists every step
(`policyengine steps`, `pytest --policyengine-steps`).

Requires the `bdd` extra (pytest and the Gherkin parser): `pip install 'policyengine[bdd]'`.
"""

from __future__ import annotations
