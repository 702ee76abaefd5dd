# govwatch — every setup step lives here, so a fresh Debian/Ubuntu clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export GOVWATCH_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export GOVWATCH_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: all venv services system-packages test lint typecheck demo bench bench-scale fuzz crash-test clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

services:
	bash deploy/ensure-services.sh

system-packages:
	bash deploy/ensure-system-packages.sh

lint: venv
	$(BIN)/ruff check crawler spiders scheduler storage replica tests bench
	$(BIN)/ruff format --check crawler spiders scheduler storage replica tests bench

typecheck: venv
	$(BIN)/mypy

test: venv services system-packages lint typecheck
	$(BIN)/pytest -q

demo: venv system-packages
	$(BIN)/govwatch demo

bench: venv services system-packages
	$(BIN)/python bench/run.py

bench-scale: venv services system-packages
	$(BIN)/python bench/scale.py

# 10,000 mutated inputs per reader of the web's input (tests/test_fuzz.py); counts in
# bench/results/fuzz.json. make test runs the same suite with 40 inputs per reader.
fuzz: venv
	GOVWATCH_FUZZ_EXAMPLES=10000 $(BIN)/pytest -q -p no:cacheprovider --timeout 0 tests/test_fuzz.py

# 100 SIGKILLs at random points of crawl, commit and delivery, on SQLite and PostgreSQL
# (make test runs 10); the seed is printed when it fails (GOVWATCH_CRASH_SEED repeats a run).
crash-test: venv services
	GOVWATCH_CRASH_KILLS=100 $(BIN)/pytest -q -p no:cacheprovider --timeout 0 tests/test_crash_safety.py

clean:
	rm -rf $(VENV) data bench/results .pytest_cache .mypy_cache .ruff_cache
