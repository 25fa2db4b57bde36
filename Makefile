# The two entry points a newcomer needs: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test install lint

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(BIN)/civicflow serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/mypy src/civicflow/runtime
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest
	CIVICFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicflow_$$$$ $(BIN)/pytest -m postgres tests/integration
