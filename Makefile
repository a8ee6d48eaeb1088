# hallq — `make demo` runs the demo hall, `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format i18n wheel-check architecture clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/hallq demo $(DEMO_ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check server kiosk board tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# redraws the layer picture of docs/architecture.md from the code
architecture: $(STAMP)
	$(PY) -m tests.architecture

format: $(STAMP)
	$(VENV)/bin/ruff format server kiosk board tests bench

i18n: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -o /tmp/hallq-messages.pot .
	$(VENV)/bin/pybabel update -i /tmp/hallq-messages.pot -d server/translations
	$(VENV)/bin/pybabel compile -d server/translations

# a non-editable install into a fresh venv serves the pages (templates and static in the wheel)
wheel-check:
	bash .ci/wheel-check

clean:
	rm -rf $(VENV) build dist *.egg-info
