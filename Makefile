# FirstContact: `make demo` starts the product, `make test` runs the whole test suite.
# Both install what is missing first and are safe to run again.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 42

.PHONY: demo demo-data test install system-packages python-packages frontend lint migrations-check verify-audit serve clean

demo: install demo-data
	@echo ""
	@echo "FirstContact is starting on http://$(HOST):$(PORT)/  (staff sign-in: http://$(HOST):$(PORT)/staff/)"
	@echo "The task worker and the scheduler run beside it; Ctrl-C stops all three."
	$(PY) manage.py run_demo_services -- $(VENV)/bin/uvicorn firstcontact.asgi:application --host $(HOST) --port $(PORT) --ws websockets

# The demo force: every step is safe to run again (a seeded database is left as it is).
demo-data: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --seed $(SEED)
	$(PY) manage.py seed_crimes --demo --seed $(SEED)
	$(PY) manage.py seed_investigations --demo --seed $(SEED)
	$(PY) manage.py seed_evidence --demo
	$(PY) manage.py seed_notifications --demo --seed $(SEED)
	$(PY) manage.py seed_call_taking --demo --seed $(SEED)
	$(PY) manage.py import_street_crime --demo --verbosity 0
	$(PY) manage.py import_calls --demo
	$(PY) manage.py seed_demand --demo --seed $(SEED)
	$(PY) manage.py find_duplicate_persons --demo
	$(PY) manage.py demo_logins
	$(PY) manage.py seed_online_reports --demo
	$(PY) manage.py seed_chats --demo --seed $(SEED)
	$(PY) manage.py seed_appointments_quality --demo --seed $(SEED)
	$(PY) manage.py seed_records --demo

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

install: system-packages python-packages frontend

# Debian packages the product and its browser tests need (as root, once).
system-packages:
	@bash scripts/system-packages.sh

python-packages: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.lock
	@touch $@

frontend: node_modules/.package-lock.json build/static/firstcontact/staff.css

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/static/firstcontact/staff.css: node_modules/.package-lock.json $(wildcard frontend/scss/*.scss)
	npm run --silent build

lint: python-packages
	$(VENV)/bin/ruff check .

migrations-check: python-packages
	$(PY) manage.py makemigrations --check --dry-run

serve: install
	$(VENV)/bin/uvicorn firstcontact.asgi:application --host $(HOST) --port $(PORT) --ws websockets

clean:
	rm -rf build var/staticfiles
