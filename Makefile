# The two commands anyone needs: `make run` and `make test`. Both create and fill .venv on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Prefer pyenv's Python 3.13 (the Lambda runtime); fall back to python3 where it is missing.
PY313 := $(shell ls -d /root/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n 1)
PYTHON ?= $(if $(PY313),$(PY313),$(shell command -v python3.13 || command -v python3))
VENV := .venv
TOOLS := .venv-tools
CHECKOV := .venv-checkov
BIN := $(VENV)/bin
PORT ?= 3000
FUNCTION ?= HealthFunction
EVENT ?= events/health/get_v1_health.json
PYTEST_ARGS ?=
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install tools run reset test lint format validate build unit e2e invoke events sam-events fuzz bench \
	openapi sdks operator-key redrive clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed-run: requirements-run.txt layers/deps/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-run.txt
	@touch $@

$(BIN)/.installed: $(BIN)/.installed-run requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(TOOLS)/bin/.installed: requirements-tools.txt
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	@touch $@

$(CHECKOV)/bin/.installed: requirements-checkov.txt
	@test -x $(CHECKOV)/bin/python || $(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

install: $(BIN)/.installed ## create .venv and install the app and test dependencies

tools: $(TOOLS)/bin/.installed $(CHECKOV)/bin/.installed ## create .venv-tools (aws-sam-cli, cfn-lint) and .venv-checkov

run: $(BIN)/.installed-run ## serve the whole API at http://127.0.0.1:$(PORT) on an embedded moto server
	WEBHOOK_ALLOW_LOOPBACK=true PORT=$(PORT) $(BIN)/python -m local run

reset: ## forget the local stack's data (.local-data); `RESET=1 make run` does the same at start
	rm -rf .local-data

invoke: $(BIN)/.installed-run ## replay an event: make invoke FUNCTION=HealthFunction EVENT=events/health/get_v1_health.json
	$(BIN)/python -m local invoke $(FUNCTION) $(EVENT)

lint: install ## ruff lint and format check, mypy over the shared layer and every function
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPYPATH=layers/shared/python $(BIN)/mypy -p platform_api
	$(BIN)/mypy sdks/python/src sdks/python/generate.py sdks/python/examples
	@for dir in functions/*/; do \
		echo "mypy $$dir"; MYPYPATH=layers/shared/python:$$dir $(BIN)/mypy $${dir}app.py || exit 1; done

format: install ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

validate: tools ## sam validate --lint, cfn-lint and checkov on template.yaml
	$(TOOLS)/bin/sam validate --lint --template template.yaml
	$(TOOLS)/bin/cfn-lint template.yaml
	$(CHECKOV)/bin/checkov --file template.yaml --framework cloudformation --quiet --compact --skip-download

build: tools ## sam build (Python 3.13, arm64 wheels for the dependencies layer)
	@if [ -z "$(PY313)" ] && ! command -v python3.13 >/dev/null; then \
		echo "sam build needs python3.13 on PATH (pyenv install 3.13); skipping"; exit 1; fi
	PATH="$(dir $(PY313)):$$PATH" $(TOOLS)/bin/sam build --template template.yaml --parallel --cached

unit: install ## unit and integration tests only (fast, in-process moto)
	$(BIN)/python -m pytest tests/unit tests/integration $(PYTEST_ARGS)

e2e: install ## end-to-end tests against the local stack over real HTTP
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

test: lint validate build ## everything CI runs: lint, template checks, sam build, all tests
	$(BIN)/python -m pytest $(PYTEST_ARGS)

fuzz: install ## a longer schemathesis run against the local stack
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-150} $(BIN)/python -m pytest tests/e2e/test_fuzz.py -s $(PYTEST_ARGS)

bench: install tools ## benchmarks: cold start, DynamoDB cost, pagination depth, fanout, latency, package size
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(BIN)/python -m bench
	$(BIN)/python -m bench.list_cost --output docs/list-cost.md
	$(BIN)/python -m bench.webhook_latency --output docs/webhook-latency.md

events: install ## re-record events/ (one file per route and consumer) against the seeded fixtures, and events/replay.json
	$(BIN)/python -m local.record_events

sam-events: $(BIN)/.installed-run ## copies of events/ in .sam-events/ with a real key for `sam local invoke -e` (API_KEY=sk_...)
	$(BIN)/python -m local sam-events --out .sam-events

openapi: install ## regenerate functions/docs/openapi.json (served at /v1/openapi.json) from the functions' routes and models
	$(BIN)/python -m local.openapi --write

sdks: openapi ## regenerate the SDKs' route table (sdks/routes.json) and their generated code from the OpenAPI document
	$(BIN)/python -m sdks.routes --write
	$(BIN)/python sdks/python/generate.py
	$(BIN)/python sdks/php/generate.py
	node sdks/js/scripts/generate.mjs

# Against the local stack (`make run`), or a deployed stage with STACK=<stack name> [REGION=<region>].
OPERATOR_TARGET = $(if $(STACK),--stack $(STACK) --region $(or $(REGION),$(AWS_REGION),us-east-1),)

operator-key: $(BIN)/.installed-run ## create an operator key, printed once: make operator-key NAME="jane" [STACK=... REGION=...]
	@test -n "$(NAME)" || { echo 'make operator-key NAME="whose key" [STACK=<stack> REGION=<region>]'; exit 2; }
	$(BIN)/python -m local.operator $(OPERATOR_TARGET) create --name "$(NAME)"

redrive: $(BIN)/.installed-run ## move dead webhook messages back to their queues: make redrive [STACK=... REGION=...]
	$(BIN)/python -m local.operator $(OPERATOR_TARGET) redrive --all

clean: ## remove build output and caches (keeps the virtualenvs)
	rm -rf .aws-sam .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv*' -exec rm -rf {} +
