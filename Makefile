# Two commands do everything on a fresh machine:
#   make run    install churnsim in .venv and run the default scenario (ARGS="..." passes options)
#   make test   install churnsim with its test extras in .venv, lint, type-check, and run the tests on every core
#   make test-fast  the same without the statistical ensembles marked slow (a few minutes)
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv run test test-fast check clean

venv:
	test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)

run: venv
	$(PY) -m pip install --quiet -e .
	$(VENV)/bin/churnsim run $(ARGS)

check: venv
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ruff check .
	$(PY) -m mypy

test: check
	$(PY) -m pytest -q -n auto $(PYTEST_ARGS)

test-fast: check
	$(PY) -m pytest -q -n auto -m "not slow" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) runs
