"""Penalty schedules: one module per kind, one registry (`SCHEDULES`), found by module.

Every module of this package is imported here, and so is every module an installed package
names under the `policyengine.schedules` entry point group; a kind outside them registers
when its module is imported. So a new kind is ONE file: a module with a `@schedule` class
(docs/extending.md, docs/decisions.md D22). The built-in kinds are also named in
`policyengine.kinds.ScheduleKind` (their outputs compare with its members). The policy model
asks `penalty_version_model` for the fields of a rule version, and rebuilds them when a kind
registers after it was built.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel, Field, create_model

from policyengine.engine.penalties.base import (
    ON_NEW_KIND,
    SCHEDULES,
    Problem,
    Schedule,
    schedule,
)
from policyengine.kinds import ScheduleKind

ENTRY_POINTS = "policyengine.schedules"

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
for _plugin in entry_points(group=ENTRY_POINTS):
    _plugin.load()


def _kinds() -> list[type[Schedule]]:
    """The built-in kinds in `ScheduleKind` order, then the others as they registered."""
    missing = [k.value for k in ScheduleKind if k is not ScheduleKind.NONE and k not in SCHEDULES]
    if missing:
        raise RuntimeError(f"no module in policyengine/engine/penalties/ registers the schedule "
                           f"kind(s) {', '.join(missing)} named in policyengine/kinds.py")
    built_in = [SCHEDULES[k] for k in ScheduleKind if k is not ScheduleKind.NONE]
    return built_in + [cls for cls in SCHEDULES.values() if cls not in built_in]


def penalty_version_model(base: type[BaseModel]) -> type[BaseModel]:
    """The model of one rule version: `base` (its effective date) and one optional key per
    schedule kind (see `_kinds` for the order), each of its kind's `Terms` shape."""
    fields: dict[str, Any] = {
        str(cls.kind): (cls.Terms | None, Field(None, description=cls.description))
        for cls in _kinds()}
    return create_model(base.__name__.removesuffix("Base"), __base__=base,
                        __module__=base.__module__, **fields)


__all__ = ["ENTRY_POINTS", "ON_NEW_KIND", "SCHEDULES", "Problem", "Schedule",
           "penalty_version_model", "schedule"]
