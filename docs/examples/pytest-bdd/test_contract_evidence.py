"""The guide's example scenarios, run by pytest-bdd through conftest.py's bridge."""

from pytest_bdd import scenarios

scenarios("../contract-evidence/features/contract-evidence.feature",
          "../contract-evidence/features/合同证据.feature")
