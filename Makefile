# Two commands matter, and both work on a fresh machine with python3, pip and make:
#   make demo   sets up .venv and runs the demo against the embedded local server
#   make test   sets up .venv and runs ruff, mypy --strict and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck generate bench bench-compare clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,reference,examples,browser,dask,django,flask,celery,servers]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cio-analytics demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy cio_analytics

test: lint typecheck
	$(BIN)/pytest

# Rewrite the event modules from cio_analytics/_spec/table.py (commit what it writes).
generate: $(STAMP)
	$(BIN)/python scripts/generate_events.py

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only -p no:cacheprovider

bench-compare: $(STAMP)
	$(BIN)/python benchmarks/compare.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .benchmarks
