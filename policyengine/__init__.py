"""policyengine: YAML compliance policies evaluated over timestamped workflow facts.

The flow runs one way: policy files -> checked model -> compiled policy -> evaluation over
facts (in event time, `as_of` given) -> results -> reports. The public API is below.
"""

# ruff: noqa: E402  (the guard below runs before any compiled module is imported)
from __future__ import annotations

from policyengine import native

native.guard()  # a compiled module older than its source fails here, saying what to run

from pathlib import Path

from policyengine.engine.compiled import CompiledPolicy, compile_policy
from policyengine.engine.evaluate import evaluate
from policyengine.errors import (
    CalendarDataMissing,
    Diagnostic,
    FactError,
    Location,
    PolicyEngineError,
    PolicyError,
    UsageError,
)
from policyengine.facts.reader import FactBatch, Rejection
from policyengine.facts.reader import read_facts as _read_facts
from policyengine.facts.schema import Fact
from policyengine.periods import Period
from policyengine.policy.loader import LoadedPolicy, PolicyIdentity, load_policy_files
from policyengine.policy.model import Policy
from policyengine.results import (
    EvaluationResult,
    Merit,
    OpenObligation,
    PenaltyCharge,
    PersonTotal,
    RewardResult,
    RuleLine,
    Violation,
)

__version__ = "0.1.0"


def load_policy(path: str | Path = "policies", pack: str | None = None) -> CompiledPolicy:
    """Load, check and compile a policy file or directory. Raises `PolicyError`.

    A folder of packs (`policies/`) means its default pack, or the one named `pack`."""
    return compile_policy(load_policy_files(path, pack))


def read_facts(source: str | Path, policy: CompiledPolicy, **options: object) -> FactBatch:
    """Read JSON Lines or CSV facts, checked against the policy's fact types."""
    return _read_facts(source, policy.schema, **options)  # type: ignore[arg-type]


__all__ = [
    "CalendarDataMissing",
    "CompiledPolicy",
    "Diagnostic",
    "EvaluationResult",
    "Fact",
    "FactBatch",
    "FactError",
    "LoadedPolicy",
    "Location",
    "Merit",
    "OpenObligation",
    "PenaltyCharge",
    "Period",
    "PersonTotal",
    "Policy",
    "PolicyEngineError",
    "PolicyError",
    "PolicyIdentity",
    "Rejection",
    "RewardResult",
    "RuleLine",
    "UsageError",
    "Violation",
    "__version__",
    "compile_policy",
    "evaluate",
    "load_policy",
    "load_policy_files",
    "read_facts",
]
