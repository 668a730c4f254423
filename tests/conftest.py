"""Shared fixtures. The builders live in helpers.py (importable as `helpers`: pytest puts
this folder on sys.path because it holds this conftest)."""

from __future__ import annotations

import pytest
from helpers import shipped

from policyengine import CompiledPolicy


@pytest.fixture(scope="session")
def policy() -> CompiledPolicy:
    """The shipped policy (the default pack, policies/customer-requirement/), loaded and
    compiled once."""
    return shipped()
