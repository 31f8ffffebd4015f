# Two commands do all set-up on a fresh machine (Python >= 3.11 and make):
#   make demo   create/reuse .venv, install the package with its CLI, run the demo against the embedded fake
#   make test   create/reuse the venvs; lint, types, import contracts; the suite with branch coverage
#               on the default Python, then on every other CPython >= 3.11 this machine has
# Everyday:
#   make check  lint, format, types, import contracts, pyproject validation (no tests)
#   make quick  make check, then the suite once on the default Python, without coverage
#   make bench  the benchmarks, in a default install (.venv-bench: no extras, + pydantic)
#   make docs   the documentation site, into site/ (make test builds it too, --strict)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cksum pyproject.toml | cut -d' ' -f1)
DEV    := $(VENV)/.installed-dev-$(HASH)
CLI    := $(VENV)/.installed-cli-$(HASH)

.PHONY: demo test quick check lint types docs bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python >= 3.11 is required (set PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(CLI): $(BIN)/python pyproject.toml
	rm -f $(VENV)/.installed-cli-*
	$(BIN)/python -m pip install --quiet -e '.[cli]'
	touch $@

$(DEV): $(BIN)/python pyproject.toml
	rm -f $(VENV)/.installed-*
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(CLI)

demo: $(CLI)
	$(BIN)/signalwire-orders demo

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/validate-pyproject pyproject.toml

types: $(DEV)
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint types

# --strict: a broken link, cross-reference or docstring section fails the build.
docs: $(DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

quick: check
	$(BIN)/python -m pytest

test: check docs
	$(BIN)/python -m pytest --cov
	.ci/suite-on-other-pythons $(BIN)/python

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
	rm -rf $(VENV) .venvs .venv-bench .pytest_cache .mypy_cache .ruff_cache .hypothesis \
		.coverage htmlcov site build dist *.egg-info
