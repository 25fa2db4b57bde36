# The two entry points a newcomer needs: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test install lint assets audit

# Front-end assets (docs/web.md): npm ci from package-lock.json, then the build script writes
# src/civicflow/web/static/civicflow/ (gitignored). Rebuilt when the lock or the sources change.
ASSETS := src/civicflow/web/static/civicflow/.built
$(ASSETS): package.json package-lock.json $(wildcard src/civicflow/web/assets/*)
	npm ci --ignore-scripts --no-audit --no-fund
	npm run build
	touch $@

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

assets: $(if $(wildcard package.json),$(ASSETS))

serve: install assets
	$(BIN)/civicflow serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/mypy src/civicflow/runtime src/civicflow/connectors
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -r src -lll -q

# Code and dependency scanning (docs/security.md). Not part of lint/test: pip-audit needs the network
# (PyPI's advisory database); the locks are fully pinned, so no resolver runs (--no-deps --disable-pip).
audit: install
	$(BIN)/bandit -c pyproject.toml -r src -q
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r requirements/base.lock
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r requirements/dev.lock

test: lint assets
	$(BIN)/pytest
	CIVICFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicflow_$$$$ $(BIN)/pytest -m postgres tests/integration
