# Campus Twin: `make demo` sets up everything and serves the sample campus;
# `make test` installs what the tests need and runs the whole suite.
# Every package used here (PyPI, Debian, npm) is installed by these targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR := build/sample
DEMO_DB ?= twin.db

.PHONY: demo test install lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p $(DEMO_DIR)
	$(BIN)/twin sample $(DEMO_DIR)/campus.ifc --buildings 3 --seed 1
	$(BIN)/twin import $(DEMO_DIR)/campus.ifc --site WZ01 --db $(DEMO_DB)
	$(BIN)/twin info --db $(DEMO_DB)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -n 2 --dist loadfile

test: lint typecheck pytest

bench: install
	cd bench/webifc && npm install --no-audit --no-fund --silent
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf build $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
