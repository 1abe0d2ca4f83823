# DanceStudio. Quick start: `make play`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup play test models bench clean

setup: $(STAMP) models

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

models: $(STAMP)
	@$(BIN)/dance models fetch
	@$(BIN)/dance samples fetch

play: setup
	$(BIN)/dance play

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/dance bench

clean:
	rm -rf $(VENV) build *.egg-info
