# The two quick-start commands: `make report` and `make test`. Both set up .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
MONTH ?= 2026-10
# the extras installed with the package (.ci/run adds dask)
EXTRAS ?= dev

.PHONY: report test lint bench

# The modules mypyc compiles (policyengine/native.py, COMPILED): an edit to one of them, or to
# the build, compiles them again before `make test` / `make report` run (an older compiled
# module would hide the edit; `import policyengine` also refuses a stale one).
# POLICYENGINE_PURE=1 make ... installs pure Python instead (and a later plain make compiles).
COMPILED := $(shell sed -n 's/^    "\(policyengine\.[a-z_.]*\)",$$/\1/p' policyengine/native.py | tr . / | sed 's/$$/.py/')

# Which build the venv holds, as a stamp file: POLICYENGINE_PURE=1 make ... after a compiled
# install (or make ... after a pure one) installs again, not only when a source changed.
BUILD := $(if $(filter-out 0,$(POLICYENGINE_PURE)),pure,compiled)

$(VENV)/.build-%:
	mkdir -p $(VENV)
	rm -f $(VENV)/.build-*
	touch $@

# The bytecode is written once (compileall), as installing a wheel does: an editable install
# writes none, and where PYTHONDONTWRITEBYTECODE is set every start compiles the package's
# ~150 modules again (0.4-0.5 s of a service's restart to first answer, docs/decisions.md D66).
$(VENV)/.installed: pyproject.toml setup.py policyengine/native.py $(COMPILED) $(VENV)/.build-$(BUILD)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	$(PY) -m compileall -q policyengine
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
