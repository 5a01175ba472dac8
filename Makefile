# Two commands do everything on a fresh machine:
#   make run    install churnsim in .venv and run the default scenario (ARGS="..." passes options)
#   make test   install churnsim with its test extras in .venv, lint, and run the tests on every core (pytest-xdist)
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv run test clean

venv:
	test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)

run: venv
	$(PY) -m pip install --quiet -e .
	$(VENV)/bin/churnsim run $(ARGS)

test: venv
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n auto $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) runs
