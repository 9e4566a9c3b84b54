# Campus Twin: `make demo` sets up everything and serves the sample campus;
# `make test` installs what the tests need and runs the whole suite.
# Every package used here (PyPI, Debian, npm) is installed by these targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB := viewer/web
WEB_STAMP := $(WEB)/dist/.built
DEMO_DIR := build/sample
DEMO_DB ?= twin.db
HOST ?= 127.0.0.1
PORT ?= 8000
SIM_RATE ?= 20

# Debian packages: EGL for off-screen snapshots, fonts for labels (Chinese names
# need the Droid fallback), chromium for the browser tests, mosquitto for MQTT.
APT_RUNTIME := libegl1 libegl-mesa0 fonts-dejavu-core fonts-droid-fallback
APT_TEST := chromium mosquitto

.PHONY: demo test install web system-deps system-test-deps lint typecheck pytest bench clean

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
endef

system-deps:
	$(call apt_install,$(APT_RUNTIME))

system-test-deps: system-deps
	$(call apt_install,$(APT_TEST))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/build.mjs $(wildcard $(WEB)/src/*)
	cd $(WEB) && npm ci --no-audit --no-fund --silent && npm run build --silent
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

demo: system-deps install web
	mkdir -p $(DEMO_DIR)
	$(BIN)/twin sample $(DEMO_DIR)/campus.ifc --buildings 3 --seed 1
	$(BIN)/twin import $(DEMO_DIR)/campus.ifc --site WZ01 --db $(DEMO_DB)
	$(BIN)/twin org sample --site WZ01 --db $(DEMO_DB)
	$(BIN)/twin scenario run twin/planning/samples/grow-and-close.toml --site WZ01 \
	    --time-limit 20 --db $(DEMO_DB)
	$(BIN)/twin simulate setup --db $(DEMO_DB)
	$(BIN)/twin info --db $(DEMO_DB)
	$(BIN)/twin keys create --role gateway --db $(DEMO_DB) | tail -n 1 > $(DEMO_DIR)/gateway.key
	# The simulator feeds the running app over HTTP; it stops with the server.
	$(BIN)/twin simulate --db $(DEMO_DB) --url http://127.0.0.1:$(PORT) --rate $(SIM_RATE) \
	    --seed 1 --key "$$(cat $(DEMO_DIR)/gateway.key)" > $(DEMO_DIR)/simulate.log 2>&1 & \
	sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	$(BIN)/twin serve --host $(HOST) --port $(PORT) --db $(DEMO_DB)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: system-test-deps install web
	$(BIN)/pytest -n 2 --dist loadfile

test: lint typecheck pytest

# `make bench BENCH_ARGS="--repeat 9 --json"` passes options to the benchmark.
BENCH_ARGS ?=

bench: install
	cd bench/webifc && npm ci --no-audit --no-fund --silent
	$(BIN)/python bench/import_bench.py $(BENCH_ARGS)

clean:
	rm -rf build $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(WEB)/dist
