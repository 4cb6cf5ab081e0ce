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
	openapi sdks operator-key redrive clean lock deploy

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Every install is from a lock file: exact versions of every package, transitive ones included, each checked
# against its hashes (pip's --require-hashes). `make lock` compiles them from the requirements-*.txt files.
PIP_LOCKED = -m pip install --quiet --disable-pip-version-check --require-hashes

$(BIN)/.installed-run: requirements-run.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP_LOCKED) -r requirements-run.lock
	@touch $@

$(BIN)/.installed: $(BIN)/.installed-run requirements-dev.lock
	$(BIN)/python $(PIP_LOCKED) -r requirements-dev.lock
	@touch $@

$(TOOLS)/bin/.installed: requirements-tools.lock
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python $(PIP_LOCKED) -r requirements-tools.lock
	@touch $@

$(CHECKOV)/bin/.installed: requirements-checkov.lock
	@test -x $(CHECKOV)/bin/python || $(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python $(PIP_LOCKED) -r requirements-checkov.lock
	@touch $@

# The lock files, compiled by uv from PyPI for every platform (Linux arm64 for the layer, the developers' machines)
# with the hashes of every file. `make lock` keeps the locked versions and adds what a requirements-*.txt gained;
# `make lock UPGRADE=1` moves every package to the newest version its requirements allow. Commit the result.
UV_COMPILE = UV_NO_CONFIG=1 $(TOOLS)/bin/uv pip compile --quiet --no-header --universal --python-version 3.13 \
	--generate-hashes --index-url https://pypi.org/simple $(if $(UPGRADE),--upgrade)
lock: tools ## recompile the lock files with hashes (UPGRADE=1: newest allowed versions)
	$(UV_COMPILE) requirements-dev.txt -o requirements-dev.lock
	$(UV_COMPILE) requirements-run.txt -c requirements-dev.lock -o requirements-run.lock
	$(UV_COMPILE) layers/deps/requirements.txt -c requirements-dev.lock -o layers/deps/requirements.lock
	$(UV_COMPILE) requirements-tools.txt -o requirements-tools.lock
	$(UV_COMPILE) requirements-checkov.txt -o requirements-checkov.lock

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

validate: tools ## sam validate --lint, cfn-lint on template.yaml and on SAM's transform of it (offline), checkov
	$(TOOLS)/bin/sam validate --lint --template template.yaml
	$(TOOLS)/bin/cfn-lint template.yaml
	$(TOOLS)/bin/python -m local.sam_transform --output build/template.transformed.json
	$(TOOLS)/bin/cfn-lint build/template.transformed.json
	$(CHECKOV)/bin/checkov --file template.yaml --framework cloudformation --quiet --compact --skip-download

build: tools ## sam build (Python 3.13, arm64 wheels for the dependencies layer)
	@if [ -z "$(PY313)" ] && ! command -v python3.13 >/dev/null; then \
		echo "sam build needs python3.13 on PATH (pyenv install 3.13); skipping"; exit 1; fi
	PATH="$(dir $(PY313)):$$PATH" $(TOOLS)/bin/sam build --template template.yaml --parallel --cached

unit: install tools ## unit and integration tests only (fast, in-process moto)
	$(BIN)/python -m pytest tests/unit tests/integration $(PYTEST_ARGS)

e2e: install ## end-to-end tests against the local stack over real HTTP
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# The tests run with every function's AWS requests recorded (local/aws_calls.py); then each is checked against
# the function's role in SAM's transform, and every granted action against what was used (tests/iam).
AWS_CALLS := $(CURDIR)/build/aws-calls
test: lint validate build ## everything CI runs: lint, template checks, sam build, all tests, IAM against the code
	rm -rf $(AWS_CALLS)
	AWS_CALLS_DIR=$(AWS_CALLS) $(BIN)/python -m pytest $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),@echo "tests/iam not run: PYTEST_ARGS narrowed the run (a partial recording)", \
		$(BIN)/python -m pytest tests/iam --aws-calls-check=$(AWS_CALLS) -p no:randomly -q)

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

# A real AWS account: samconfig.toml's environment (region, stack name, parameters), no prompts. PARAMS adds
# parameter overrides to the environment's own: make deploy ENV=dev PARAMS="CreateApiGatewayAccountRole=true".
ENV ?=
deploy: ## deploy to AWS without prompts: make deploy ENV=dev|prod [PARAMS="Name=value ..."] (docs/deploy.md)
	@case "$(ENV)" in dev|prod) ;; *) echo 'make deploy ENV=dev or ENV=prod (samconfig.toml)'; exit 2;; esac
	@$(MAKE) --no-print-directory build
	$(TOOLS)/bin/sam deploy --config-env $(ENV) --no-confirm-changeset --no-fail-on-empty-changeset \
		$(if $(PARAMS),--parameter-overrides "$$($(TOOLS)/bin/python -m local.samconfig overrides $(ENV)) $(PARAMS)")

# Against the local stack (`make run`), or a deployed stage with STACK=<stack name> [REGION=<region>].
OPERATOR_TARGET = $(if $(STACK),--stack $(STACK) --region $(or $(REGION),$(AWS_REGION),us-east-1),)

operator-key: $(BIN)/.installed-run ## create an operator key, printed once: make operator-key NAME="jane" [STACK=... REGION=...]
	@test -n "$(NAME)" || { echo 'make operator-key NAME="whose key" [STACK=<stack> REGION=<region>]'; exit 2; }
	$(BIN)/python -m local.operator $(OPERATOR_TARGET) create --name "$(NAME)"

redrive: $(BIN)/.installed-run ## move dead webhook messages back to their queues: make redrive [STACK=... REGION=...]
	$(BIN)/python -m local.operator $(OPERATOR_TARGET) redrive --all

clean: ## remove build output and caches (keeps the virtualenvs)
	rm -rf .aws-sam .pytest_cache .ruff_cache build
	find . -name __pycache__ -type d -prune -not -path './.venv*' -exec rm -rf {} +
