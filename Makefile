# The pipeline as commands. Each target creates or updates .venv first; `make help` lists them.
#   make briefings   set up, ingest the bundled data and render the briefings (the main job)
#   make test        set up and run the whole test suite
#   make check-install  pip install . into a new venv and run ingest, briefings and the explore
#                    notebook from empty folders (slow; CI runs it after the tests)
# `make` alone sets up .venv (as `make setup`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
#: the lint extra (ruff, mypy, pandas-stubs), installed on top by lint, format and types
LINT_STAMP := $(VENV)/.installed-lint
#: pytest-xdist workers for test-fast
JOBS ?= 2

#: Debian packages the tests need (browser and PDF-briefing tests; PDF-to-text and w3m
#: tool-output tests); chromium is also what `govstats briefings --pdf` prints with
SYSTEM_PACKAGES := chromium fonts-noto-cjk poppler-utils w3m

.DEFAULT_GOAL := setup
.PHONY: help setup system-packages briefings test test-fast lint format types layers check-install \
	bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask,bench]'
	touch $(STAMP)

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lint]'
	touch $(LINT_STAMP)

help: ## list the targets, one line each
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-z][a-z-]*:.*## / { printf "  make %-15s %s\n", $$1, $$2 }' \
		$(firstword $(MAKEFILE_LIST))

setup: $(STAMP) ## create or update .venv (the package editable, with the test extras)

system-packages: ## install the Debian packages the browser and tool-output tests need
	@bash scripts/system_packages.sh $(SYSTEM_PACKAGES)

# the checkout is the govstats home here: its data/ holds the store, its reports/ the pages
briefings: setup ## ingest the bundled data and render the briefings into reports/
	GOVSTATS_HOME=$(CURDIR) $(BIN)/govstats ingest data/raw data/extract
	GOVSTATS_HOME=$(CURDIR) $(BIN)/govstats briefings --all

test: setup system-packages ## run the whole test suite (PYTEST_ARGS="-n 2" for two workers)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup ## the tests not marked slow, browser or corpus (JOBS=2 workers; under a minute)
	$(BIN)/python -m pytest -m "not slow and not browser and not corpus" -n $(JOBS)

lint: $(LINT_STAMP) ## ruff: lint and format check over the tree
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(LINT_STAMP) ## ruff: apply its fixes, then format the tree
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

layers: setup ## the import-layer contract (tests/test_layers.py): which stage may import which
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_layers.py

types: $(LINT_STAMP) ## mypy on govstats/ (configuration in pyproject.toml)
	$(BIN)/mypy

check-install: ## pip install . into a new venv and run the pipeline from empty folders (slow)
	@bash scripts/check_install.sh

bench: setup ## run every benchmark (benchmarks/bench_*.py)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean: ## remove .venv, the rendered pages and the store
	rm -rf $(VENV) reports/*/ reports/index.html data/govstats.duckdb*
