"""Penalty schedules: one module per kind, one registry (`SCHEDULES`), found by module.

Every module of this package is imported here, so a new kind is a new module with a
`@schedule` class (and its name in `policyengine.kinds.ScheduleKind`); nothing else lists
the kinds. The policy model asks `penalty_version_model` for the fields of a rule version.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from pydantic import BaseModel, Field, create_model

from policyengine.engine.penalties.base import SCHEDULES, Problem, Schedule, schedule
from policyengine.kinds import ScheduleKind

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def _kinds() -> list[type[Schedule]]:
    missing = [k.value for k in ScheduleKind if k is not ScheduleKind.NONE and k not in SCHEDULES]
    if missing:
        raise RuntimeError(f"no module in policyengine/engine/penalties/ registers the schedule "
                           f"kind(s) {', '.join(missing)} named in policyengine/kinds.py")
    return [SCHEDULES[k] for k in ScheduleKind if k is not ScheduleKind.NONE]


def penalty_version_model(base: type[BaseModel]) -> type[BaseModel]:
    """The model of one rule version: `base` (its effective date) and one optional key per
    schedule kind, in the order of `ScheduleKind`, each of its kind's `Terms` shape."""
    fields: dict[str, Any] = {
        cls.kind.value: (cls.Terms | None, Field(None, description=cls.description))
        for cls in _kinds()}
    return create_model(base.__name__.removesuffix("Base"), __base__=base,
                        __module__=base.__module__, **fields)


__all__ = ["SCHEDULES", "Problem", "Schedule", "penalty_version_model", "schedule"]
