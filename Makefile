# MLOps on AWS, by account role and maturity tier. `make help` lists the targets.
SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON       ?= python3
VENV         := .venv
CHECKOV_VENV := .venv-checkov
PY           := $(VENV)/bin/python
TIERS        := small
PLANS        ?=
export TF_CLI_CONFIG_FILE := $(CURDIR)/build/terraformrc
export CHECKPOINT_DISABLE := 1

.PHONY: help setup lock package plans demo test fmt docs bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z%_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed build/terraformrc ## Create the virtualenvs and the project-local Terraform CLI config

$(VENV)/.installed: requirements.lock
	@echo "==> project virtualenv ($(VENV)) from requirements.lock"
	@$(PYTHON) scripts/tfsetup.py --check
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.lock
	@echo "==> checkov virtualenv ($(CHECKOV_VENV)) from requirements-checkov.lock"
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.lock
	@touch $@

build/terraformrc: scripts/tfsetup.py
	@$(PYTHON) scripts/tfsetup.py

lock: ## Re-pin requirements.lock and requirements-checkov.lock from requirements.in
	@$(PY) scripts/lock.py

package: ## Build the Lambda zips deterministically (build/lambda/*.zip)
	@$(PYTHON) scripts/package_lambdas.py

plan-%: setup package ## Plan a tier offline into build/plans/<tier>.json (VARS=my.tfvars for your own inputs)
	@$(PY) scripts/tier.py plan $* $(if $(VARS),--var-file $(VARS))

plans: $(addprefix plan-,$(TIERS)) ## Plan every tier

demo: plan-small ## Set up and run the main job on the embedded default
	@echo
	@echo "Next: \`make test\` runs every check; \`make help\` lists the rest."

test: setup package ## Run every check: fmt, validate, terraform test, plans, Lambdas, step scripts
	@$(PY) -m pytest

fmt: ## Format Terraform files
	@terraform fmt -recursive modules environments

docs: setup ## Regenerate the inputs/outputs tables of the module READMEs
	@$(PY) scripts/docs.py


bench: setup package ## Benchmarks: Lambda import times and more (see scripts/bench_*.py)
	@$(PY) scripts/bench_lambda_imports.py

clean: ## Remove build output and Terraform working directories (keeps the virtualenvs)
	@rm -rf build
	@find modules environments -name .terraform -type d -prune -exec rm -rf {} +
