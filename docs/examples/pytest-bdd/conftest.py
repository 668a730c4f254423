# policyengine's scenario sentences as pytest-bdd steps (docs/writing-scenarios.zh.md § 11).
pytest_plugins = ["policyengine.bdd.pytest_bdd"]
