# The pipeline as commands. Each target creates or updates .venv first.
#   make briefings   set up, ingest the bundled data and render the briefings (the main job)
#   make test        set up and run the whole test suite
#   make check-install  pip install . into a new venv and run ingest, briefings and the explore
#                    notebook from empty folders (slow; CI runs it after the tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

#: Debian packages the tests need (browser tests; PDF-to-text and w3m tool-output tests)
SYSTEM_PACKAGES := chromium fonts-noto-cjk poppler-utils w3m

.PHONY: setup system-packages briefings test check-install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask,bench]'
	touch $(STAMP)

setup: $(STAMP)

system-packages:
	@bash scripts/system_packages.sh $(SYSTEM_PACKAGES)

# the checkout is the govstats home here: its data/ holds the store, its reports/ the pages
briefings: setup
	GOVSTATS_HOME=$(CURDIR) $(BIN)/govstats ingest data/raw data/extract
	GOVSTATS_HOME=$(CURDIR) $(BIN)/govstats briefings --all

test: setup system-packages
	$(BIN)/python -m pytest

check-install:
	@bash scripts/check_install.sh

bench: setup
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) reports/*/ reports/index.html data/govstats.duckdb*
