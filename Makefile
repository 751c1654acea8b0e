# The two commands a new user runs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/auditlib batch examples/reports --out outputs

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

test: $(STAMP) lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check auditlib tests scripts
	$(VENV)/bin/mypy

# make bench BENCH="--only batch --agencies 1000 --naive 5": options of scripts/bench.py
bench: $(STAMP)
	$(PY) scripts/bench.py $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
