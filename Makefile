# The README's two commands: `make demo` and `make test`. Both bootstrap everything from a bare Python 3.11.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: help install demo app test test-fast lint format bench browser-deps clean

help:
	@echo "make demo   - install, build the local platform at full scale, start the app"
	@echo "make test   - install, lint, run the whole test suite"
	@echo "make lint | format | bench | clean"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python "$$(command -v $(PYTHON))"
	@touch $@

install: $(VENV)/.synced

# Chromium for the browser tests (Debian package); skipped quietly where apt-get is unavailable.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null) \
		|| echo "chromium not installed: browser tests will be skipped"; }

demo: install
	$(BIN)/c360 up
	$(BIN)/c360 app

app: install
	$(BIN)/c360 app

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture c360 components stacks generators vulture_whitelist.py
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install browser-deps lint
	$(BIN)/pytest || { rc=$$?; [ ! -f .pytest_cache/running-test ] \
		|| echo "pytest died (exit $$rc) while running $$(cat .pytest_cache/running-test)"; exit $$rc; }

test-fast: install
	$(BIN)/pytest -m "not integration and not browser and not slow"

bench: install
	$(BIN)/c360 bench

clean:
	rm -rf .pytest_cache .ruff_cache dbt/target dbt/logs
