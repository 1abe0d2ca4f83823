# DanceStudio. Quick start: `make play`, `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FASTDTW_STAMP := $(VENV)/.fastdtw-stamp
# Only to compile fastdtw's C extension (not runtime dependencies).
BUILD_TOOLS := "Cython~=3.1" "wheel~=0.45"

.PHONY: setup play test models verify bench clean

# Idempotent: stamps skip pip unless pyproject.toml changed; `dance ... fetch` only hashes
# the cached files (no network) when they are all present, so a re-run takes seconds.
setup: $(FASTDTW_STAMP) models

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "DanceStudio needs Python >= 3.11: make setup PYTHON=python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'  # player + every extra (studio, dev)
	@touch $@

# fastdtw's sdist compiles its C extension only when numpy and Cython are importable at
# build time; pip's build isolation hides them, so it silently installs pure python (15-90x
# slower). Rebuild it against the venv's numpy; without a compiler it stays pure python.
$(FASTDTW_STAMP): $(STAMP)
	@$(BIN)/python -c 'import fastdtw._fastdtw' 2>/dev/null || { \
	  $(BIN)/python -m pip install --quiet $(BUILD_TOOLS) && \
	  $(BIN)/python -m pip install --quiet --no-build-isolation --no-deps --force-reinstall \
	    --no-cache-dir --no-binary fastdtw "fastdtw~=0.3.4"; }
	@$(BIN)/python -c 'import fastdtw._fastdtw' 2>/dev/null || \
	  echo "warning: fastdtw's C extension did not build (no C++ compiler?); DTW runs in pure python" >&2
	@touch $@

# Quantised variants are built from the fetched models (skipped when they verify).
models: $(STAMP)
	@$(BIN)/dance models fetch
	@$(BIN)/dance samples fetch
	@$(BIN)/dance mocap fetch
	@$(BIN)/dance models quantize > /dev/null
	@$(BIN)/python -m game.practice.voice  # the spoken count-in, rendered once into the cache

verify: $(STAMP)
	@$(BIN)/dance models verify
	@$(BIN)/dance samples verify
	@$(BIN)/dance mocap verify

play: setup
	$(BIN)/dance play

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/dance bench

clean:
	rm -rf $(VENV) build *.egg-info
