# The newest supported Python that actually runs: on PATH, or installed by pyenv (whose shims on
# PATH fail while pyenv's global version is another one). PYTHON=/path/to/python overrides it;
# PYTHON_VERSIONS=3.12 limits the search (see docs/python.md).
PYTHON_VERSIONS ?= 3.13 3.12
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell \
	root=$$(pyenv root 2>/dev/null); \
	for v in $(PYTHON_VERSIONS); do \
		for c in $$(command -v python$$v) \
			$$(ls -d "$$root"/versions/$$v.*/bin/python$$v 2>/dev/null | sort -rV); do \
			if "$$c" -c 'import sys, venv; assert sys.version_info >= (3, 12)' \
				>/dev/null 2>&1; then echo "$$c"; exit 0; fi; \
		done; \
	done)
endif
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# The interpreter the venv was made from (path and version): another one rebuilds the venv.
PYTHON_ID := $(if $(PYTHON),$(shell "$(PYTHON)" -c \
	'import sys; print(sys.executable, sys.version.split()[0])' 2>/dev/null))
VENV_PYTHON := $(VENV)/.python
NO_PYTHON := $(if $(PYTHON),$(PYTHON) does not run,No working Python $(PYTHON_VERSIONS) found): \
	install Python 3.13 or 3.12 (see docs/python.md), or name one: make PYTHON=/path/to/python3.12

.PHONY: run test lint bench bench-slack clean which-python
ifneq ($(PYTHON_ID),$(shell [ -x $(BIN)/python ] && cat $(VENV_PYTHON) 2>/dev/null))
.PHONY: $(VENV_PYTHON)
endif

$(VENV_PYTHON):
	@if [ -z "$(PYTHON_ID)" ]; then echo "$(NO_PYTHON)" >&2; exit 1; fi
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	echo "$(PYTHON_ID)" > $@

$(STAMP): pyproject.toml $(VENV_PYTHON)
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(VENV_PYTHON)
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

# The interpreter make would build the venv with (.ci/run asks it for each version).
which-python:
	@if [ -n "$(PYTHON_ID)" ]; then echo "$(PYTHON)"; else echo "$(NO_PYTHON)" >&2; exit 1; fi

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .ruff_cache
