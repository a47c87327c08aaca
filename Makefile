PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench bench-slack clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

run: $(STAMP)
	@echo "Starting the DTL Forum Bot: open the web chat at the address below (Ctrl-C stops it)."
	$(BIN)/dtlbot serve

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/dtlbot content check
	$(BIN)/pytest -q

bench: $(DEV_STAMP)
	$(BIN)/python bench/qa.py
	$(BIN)/python bench/footprint.py
	$(BIN)/python bench/webchat.py
	$(BIN)/python bench/polls.py

bench-slack: $(DEV_STAMP)
	$(BIN)/python bench/slack.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
