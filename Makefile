# sagemaker-xgb-cdk: one Makefile for the whole lifecycle.
#   make demo   the whole lifecycle locally, no AWS account (build, deploy, predict, destroy, verify)
#               MODEL=examples/models/iris.toml: on that model spec (also for build, deploy, predict...)
#   make test   lint + every test (unit, stack, snapshot, cfn-lint, cdk-nag, end-to-end on local AWS)
#   make test-fast   the tests that start no server and no CDK CLI (no lint): seconds, not minutes
# Real AWS (credentials in your environment): make deploy / verify-deploy / predict / call-raw / destroy /
#   verify-teardown

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# checkov pins boto3/networkx/packaging versions that clash with ours: it gets a venv of its own.
CHECKOV_VENV := .venv-checkov
# cdk.json runs `python3 app.py` and `python3 -m model_build`: the venv's python must come first.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# The CLI's bundled AWS SDK for JavaScript v3 prints an 8-line NodeVersionSupportWarning on every
# call under Node < 22; this is its documented off switch. The README, .ci/run's machine and the
# PR workflow all use Node 20.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true
# Only the pinned CLI (package.json): never let npx fetch the newest, which cannot read our assembly.
CDK := npx --no -- cdk
OUTPUTS := cdk-outputs.json
# The cloud assembly the last `make deploy` deployed, and the CONFIG/MODEL it had.
DEPLOYED := build/deployed.out
# make deploy CONFIG=examples/production.json: a whole environment's settings from one file.
# make deploy MODEL=examples/models/iris.toml: deploy that model spec (docs/your-model.md); the
# clients then read its card, which synth writes to build/models/<spec name>/ (app.py).
CONTEXT_ARG = $(if $(CONFIG),-c config=$(CONFIG)) $(if $(MODEL),-c model=$(MODEL))
CARD_ARG = $(if $(MODEL),--model-card build/models/$(basename $(notdir $(MODEL)))/model-card.json)

.PHONY: install build synth lint format test test-fast checkov snapshot-update bench schema diagram docs \
        demo demo-batch up down env deploy diff predict call-raw call-api batch-transform \
        destroy verify-deploy verify-teardown clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# make build MODEL=examples/models/iris.toml: build the model a spec describes (docs/your-model.md).
build: install
	python -m model_build $(if $(MODEL),--spec $(MODEL))

synth: install
	$(CDK) synth --quiet $(CONTEXT_ARG)

lint: install
	ruff check .
	ruff format --check .
	mypy
	lint-imports --no-logo --no-cache

format: install
	ruff check --fix .
	ruff format .

# REQUIRE_CHECKOV: the checkov scan fails, rather than skips, if its venv is missing.
test: lint $(CHECKOV_VENV)/.installed
	REQUIRE_CHECKOV=1 pytest

test-fast: install
	pytest -m "not e2e"

# checkov on every config's template (make test runs it too).
checkov: install $(CHECKOV_VENV)/.installed
	REQUIRE_CHECKOV=1 pytest tests/unit/stacks/test_checkov.py

snapshot-update: install
	pytest -n 0 tests/unit/stacks/test_stack_snapshot.py --snapshot-update

bench: install
	python -m benchmarks

# docs/settings.schema.json and docs/configuration.md, written from the models in stacks/settings/.
schema: install
	python -m docs_tools.settings_reference

# The Mermaid diagrams in README.md and docs/architecture.md, drawn from the synthesized templates.
diagram: install
	python -m docs_tools.diagram

# Every generated doc; tests fail when a committed one is stale.
docs: schema diagram

# --- local AWS (no account) -------------------------------------------------------------------
demo: install
	python -m local_cloud demo $(if $(MODEL),--model $(MODEL))

# Messages name `make up/env/down`; `@`: `eval "$$(make env)"` must see only the export lines.
LOCAL_CLOUD := $(VENV)/bin/python -m local_cloud --invoked-as make

# A batch transform job end to end on the local cloud (docs/batch-transform.md).
demo-batch: install
	python -m local_cloud.batch_demo

up: install
	@$(LOCAL_CLOUD) up

down:
	@$(LOCAL_CLOUD) down

env:
	@$(LOCAL_CLOUD) env

# --- real AWS ----------------------------------------------------------------------------------
# preflight: refuse an autoscaled variant's instance type change before CloudFormation sees it.
# A deploy that writes no usable outputs is a failed deploy: the old file is removed first and
# the new one must name the endpoint.
deploy: install
	$(CDK) synth --quiet $(CONTEXT_ARG)
	python -m clients.preflight
	rm -rf $(DEPLOYED)
	rm -f $(OUTPUTS)
	$(CDK) deploy --app cdk.out --require-approval never --outputs-file $(OUTPUTS)
	python -m clients.check_outputs --outputs-file $(OUTPUTS)
	cp -R cdk.out $(DEPLOYED) && echo '$(strip $(CONTEXT_ARG))' > $(DEPLOYED)/make-context
	python -m clients.verify_deploy --outputs-file $(OUTPUTS) $(CARD_ARG)

diff: install
	$(CDK) diff $(CONTEXT_ARG)

predict: install
	python -m clients.predict --outputs-file $(OUTPUTS) $(CARD_ARG) $(ARGS)

call-raw: install
	python -m clients.call_raw --outputs-file $(OUTPUTS) $(CARD_ARG) $(ARGS)

call-api: install
	python -m clients.call_api --outputs-file $(OUTPUTS) $(CARD_ARG) $(ARGS)

# destroy: what `make deploy` last deployed with the same CONFIG and MODEL, from its own cloud
# assembly (no build, no synth: and right even if the config file changed since); else synthesize.
destroy: install
	@if [ "$$(cat $(DEPLOYED)/make-context 2>/dev/null)" = '$(strip $(CONTEXT_ARG))' ]; then \
	  echo "destroying what make deploy deployed ($(DEPLOYED))"; \
	  $(CDK) destroy --force --app $(DEPLOYED); \
	else $(CDK) destroy --force $(CONTEXT_ARG); fi

# make batch-transform ARGS="--input rows.csv --id-column": score a file as a transform job on the
# stack's Model (deploy with batch_transform on; docs/batch-transform.md). Locally after `make up`.
batch-transform: install
	python -m clients.batch_transform --outputs-file $(OUTPUTS) $(ARGS)

# What is live is what this build deployed (docs/verify-deploy.md); make deploy ends with it.
verify-deploy: install
	python -m clients.verify_deploy --outputs-file $(OUTPUTS) $(CARD_ARG)

verify-teardown: install
	python -m clients.verify_teardown --outputs-file $(OUTPUTS)

clean:
	rm -rf build cdk.out .local-cloud .pytest_cache .ruff_cache
