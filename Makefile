# Two commands do all set-up on a fresh machine:
#   make demo   create/reuse .venv, install, run the demo against the embedded fake server
#   make test   create/reuse .venv, install dev deps, run lint, types, import contracts and tests
#   make bench  create/reuse .venv-bench, a default install (no extras) + pydantic, run benchmarks/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint types check bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python >= 3.11 is required (set PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	rm -f $(VENV)/.installed-*
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(STAMP)
	$(BIN)/signalwire-orders demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint types
	$(BIN)/python -m pytest

# A default install, apart from the dev venv: `pip install .` (no extras) and what the
# harness itself needs (pydantic, for the typed peer); the checkout is reinstalled each run.
BENCH := .venv-bench/bin

bench:
	@test -x $(BENCH)/python || $(PYTHON) -m venv .venv-bench
	$(BENCH)/python -m pip install --quiet --upgrade pip
	$(BENCH)/python -m pip install --quiet . 'pydantic>=2.7'
	$(BENCH)/python -m pip install --quiet --no-deps --force-reinstall .
	$(BENCH)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
