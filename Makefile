# Two commands on a fresh machine with only python3 and pip: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install emulator schema clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/facade serve --host 127.0.0.1 --port 8000

emulator: $(STAMP)
	$(BIN)/facade emulator --seed demo

test: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -p no:cacheprovider --cov=facade --cov-branch --cov-report=term --cov-fail-under=95

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
