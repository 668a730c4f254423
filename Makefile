# The two quick-start commands: `make report` and `make test`. Both set up .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
MONTH ?= 2026-10

.PHONY: report test lint bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

report: $(VENV)/.installed
	$(VENV)/bin/policyengine evaluate --facts samples/facts-$(MONTH).jsonl --month $(MONTH)

test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check policyengine tests benchmarks samples
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(PY) benchmarks/run_benchmark.py
