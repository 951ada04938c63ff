# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast fuzz install system-packages lint format messages seed-scale bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Debian packages the browser tests and the catalogues need (Chromium, its driver, CJK fonts,
## gettext). Installed when missing and running as root; otherwise `make test` stops with the
## command to install them (the browser journeys are never skipped).
system-packages:
	@bash scripts/system_packages.sh

## Serve the embedded default (SQLite, Celery eager) with demo data on 127.0.0.1:8000.
run: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo   # idempotent: a second run changes nothing, prints the logins
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole suite: unit, integration and browser tests.
test: install system-packages
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not e2e and not fuzz"

## schemathesis against a live server, as a county leader and a clerk (part of `make test`).
fuzz: install
	$(PY) -m pytest -q -m fuzz

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Extract and compile translations (needs gettext's msgfmt).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete -i ".venv/*" -i "static/vendor/*"
	$(PY) manage.py compilemessages -i .venv

## Province-scale data for the benchmarks (PostgreSQL recommended; see bench/README.md).
seed-scale: install
	$(PY) manage.py seed_scale

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
