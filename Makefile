# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test demo messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@ $(VENV)/.installed-run

run: export HELPCENTER_SITE_URL ?= http://127.0.0.1:$(PORT)
# The demo signs in with the printed password alone; production requires a code.
run: export HELPCENTER_REQUIRE_2FA ?= 0
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the translation catalogs after changing user-facing strings
# (needs GNU gettext); the compiled .mo files are committed.
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/search_bench.py

clean:
	rm -rf $(VENV) build *.egg-info
