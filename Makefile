# Two entry points for a fresh clone: `make demo` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	deploy/ensure-chromium.sh
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/regwatch demo

test: $(STAMP)
	$(BIN)/ruff format --check monitor tests benchmarks
	$(BIN)/ruff check monitor tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q --cov --cov-report=term
	$(BIN)/coverage report --include='monitor/extract/*,monitor/detect/*,monitor/controls/state.py,monitor/controls/document.py,monitor/controls/codes.py' --fail-under=100

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
