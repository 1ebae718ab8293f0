# Rollout Planner: `make run` serves the demo on SQLite, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := planner

.PHONY: run test install install-dev migrate demo clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo

run: demo
	@echo "Serving Rollout Planner on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

# Collect every user-facing string into messages.pot (the start of a new translation).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o messages.pot .

# The load test (bench/load/README.md): gunicorn on 127.0.0.1, locust headless, SQLite and PostgreSQL.
# Options through LOAD_ARGS, e.g. make load LOAD_ARGS="--database sqlite --users 50 --seconds 60".
.PHONY: load
load: install
	$(BIN)/python -c "import locust" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

# The page benchmark (bench/README.md): every main page, calendar feed and API list at scales 1 and 10, the
# feed of 1,000 events against icalendar, the schedule engine against networkx; report in bench/results/latest.md.
# Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--scales 0.1,0.5 --repeats 5".
.PHONY: bench
bench: install-dev
	$(BIN)/python bench/pages.py $(BENCH_ARGS)
