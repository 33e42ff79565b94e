# Waypoint: `make run` for a demo on this machine, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench messages system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@ $(VENV)/.installed-run

# Fresh secrets for this machine only (git-ignored); never overwritten once made.
.env: | $(VENV)/.installed-run
	{ $(BIN)/python -m waypoint.core.keygen; \
	  printf 'DEBUG=false\nHTTPS=false\nWAYPOINT_DEMO=true\nEMAIL_BACKEND=django.core.mail.backends.console.EmailBackend\n'; \
	} > .env.tmp && mv .env.tmp .env

run: $(VENV)/.installed-run .env
	scripts/system-packages.sh run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	scripts/serve-dev.sh

system-packages:
	scripts/system-packages.sh

test: $(VENV)/.installed-test system-packages
	scripts/test.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# The registry benchmark loads BENCH_PERSONS generated persons into SQLite, then into PostgreSQL
# (a throwaway cluster): about 15 minutes at a million. Both run even if the first misses a target.
BENCH_PERSONS ?= 1000000
REGISTRY_BENCH := $(BIN)/python bench/people_registry.py --persons $(BENCH_PERSONS)

bench: $(VENV)/.installed-test system-packages
	$(BIN)/python bench/run.py
	$(BIN)/python bench/matching_quality.py
	$(BIN)/python bench/directory_hotline.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/programmes.py
	status=0; \
	$(REGISTRY_BENCH) || status=1; \
	scripts/with-postgres.sh $(REGISTRY_BENCH) || status=1; \
	exit $$status

# Refresh the Russian catalogue after changing user-visible strings, then translate and compile.
messages: $(VENV)/.installed-test
	cd waypoint && ../$(BIN)/python ../manage.py makemessages -l ru --no-location --ignore 'static/*'
	cd waypoint && ../$(BIN)/python ../manage.py compilemessages -l ru
