"""The public API is what `policyengine.__all__` names: a change to it is a decision, not an
accident (the test fails until this list is updated on purpose)."""

from __future__ import annotations

import policyengine

PUBLIC = {
    "CalendarDataMissing", "CompiledPolicy", "Diagnostic", "EvaluationResult", "Fact",
    "FactBatch", "FactError", "LoadedPolicy", "Location", "Merit", "OpenObligation",
    "PenaltyCharge", "Period", "PersonTotal", "Policy", "PolicyEngineError", "PolicyError",
    "PolicyIdentity", "Rejection", "RewardResult", "RuleLine", "UsageError", "Violation",
    "__version__", "compile_policy", "evaluate", "load_policy", "load_policy_files",
    "read_facts",
}


def test_the_public_names_are_exactly_these() -> None:
    assert set(policyengine.__all__) == PUBLIC


def test_every_public_name_exists() -> None:
    missing = [name for name in policyengine.__all__ if not hasattr(policyengine, name)]
    assert missing == []
