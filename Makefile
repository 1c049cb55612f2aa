# MLOps on AWS, by account role and maturity tier. `make help` lists the targets.
SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON       ?= python3
VENV         := .venv
CHECKOV_VENV := .venv-checkov
PY           := $(VENV)/bin/python
TIERS        := small medium large
PLANS        ?=
export TF_CLI_CONFIG_FILE := $(CURDIR)/build/terraformrc
export CHECKPOINT_DISABLE := 1

TARGET       ?= emulator
.PHONY: upgrade migrate-registry help setup graphviz lock lock-providers package plans demo test check check-fmt check-validate check-docs check-unit policy diagrams fmt docs bench bench-apply clean up down status retrain monitor ground-truth ingest-features lifecycle mutation

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z%_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed build/terraformrc graphviz ## Create the virtualenvs, the project-local Terraform CLI config, Graphviz

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

graphviz: # Graphviz draws the diagrams: installed from Debian's packages where we can, else a hint
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "==> installing graphviz (Debian package) for make diagrams"; \
	    apt-get update -qq >/dev/null && apt-get install -y -qq graphviz >/dev/null; \
	  else echo "note: install Graphviz (apt install graphviz, brew install graphviz) to use make diagrams"; fi; }

build/terraformrc: scripts/tfsetup.py
	@$(PYTHON) scripts/tfsetup.py

lock: ## Re-pin the hashed Python locks with uv, keeping locked versions (UPGRADE=1: newest)
	@$(PY) scripts/lock.py $(if $(UPGRADE),--upgrade)

package: ## Build the Lambda zips deterministically (build/lambda/*.zip)
	@$(PYTHON) scripts/package_lambdas.py

plan-%: setup package ## Plan a tier offline into build/plans/<tier>.json (VARS=my.tfvars for your own inputs)
	@$(PY) scripts/tier.py plan $* $(if $(VARS),--var-file $(VARS))

plans: $(addprefix plan-,$(TIERS)) ## Plan every tier

up: setup ## Start the embedded AWS emulator (EMULATOR_PORT, default 4566)
	@$(PY) scripts/emulator/ctl.py up

down: ## Stop the emulator that `make up` started
	@$(PYTHON) scripts/emulator/ctl.py down

status: ## Is the emulator running?
	@$(PYTHON) scripts/emulator/ctl.py status || test $$? -eq 3  # not running is an answer, not an error (ctl.py status exits 3)

apply-%: setup package ## Apply a tier: to the emulator (default) or TARGET=aws VARS=my.tfvars
	@$(if $(filter emulator,$(TARGET)),$(PY) scripts/emulator/ctl.py up)
	@$(PY) scripts/tier.py apply $* --target $(TARGET) $(if $(VARS),--var-file $(VARS))

destroy-%: setup package ## Destroy a tier, then sweep what killed runs left (same TARGET and VARS as apply)
	@$(PY) scripts/tier.py destroy $* --target $(TARGET) $(if $(VARS),--var-file $(VARS))

sweep-%: setup ## What killed runs created that the state does not know: deleted on the emulator, listed on AWS (DELETE=1 deletes)
	@$(PY) scripts/tier.py sweep $* --target $(TARGET) $(if $(VARS),--var-file $(VARS)) $(if $(DELETE),--delete)

ifneq ($(filter upgrade,$(MAKECMDGOALS)),)
ifeq ($(and $(FROM),$(TO)),)
$(error make upgrade needs FROM and TO, e.g. make upgrade FROM=small TO=medium)
endif
endif
upgrade: setup package ## Grow a tier in place, keeping its data: FROM=small TO=medium (TARGET=aws VARS=medium.tfvars)
	@$(if $(filter emulator,$(TARGET)),$(PY) scripts/emulator/ctl.py up)
	@$(PY) scripts/upgrade.py $(FROM) $(TO) --target $(TARGET) $(if $(VARS),--var-file $(VARS))

migrate-registry: setup ## Copy every model version into the bigger tier's registry: FROM=medium TO=large, on the emulator or TARGET=aws (SOURCE_PROFILE, TARGET_PROFILE, DRY_RUN=1)
	@$(PY) scripts/migrate_registry.py --from-tier $(or $(FROM),medium) --to-tier $(or $(TO),large) --target $(TARGET) \
		$(if $(SOURCE_PROFILE),--source-profile $(SOURCE_PROFILE)) $(if $(TARGET_PROFILE),--target-profile $(TARGET_PROFILE)) $(if $(DRY_RUN),--dry-run)

demo: apply-small ## Set up, start the emulator, apply the small tier on it and show what was deployed
	@$(PY) scripts/tier.py summary small

retrain: setup ## Run the retraining pipeline of a tier and follow its steps (TIER=small; TARGET=aws for a real account; NO_WAIT=1)
	@$(PY) scripts/retrain.py --tier $(or $(TIER),small) --target $(TARGET) $(if $(NO_WAIT),--no-wait)

lifecycle: apply-small ## On the emulator: the talk end to end on the small demo (train, approve, deploy, predict, drift, retrain, canary, rollback), each stage with its evidence
	@$(PY) scripts/lifecycle.py

monitor: setup ## Run a tier's data-quality monitoring schedules now, on the emulator (TIER=small): the violations report and the event that starts a retraining
	@$(PY) scripts/monitor.py --tier $(or $(TIER),small)

ground-truth: setup ## Label a stage's captured requests for its model-quality and Clarify bias monitors: LABELS=labels.csv (`id,label` rows) or FROM_DATASET=s3://bucket/data.csv (demo: equal features); TIER=small, STAGE=prod, TARGET=aws
	@$(PY) scripts/ground_truth.py --tier $(or $(TIER),small) --target $(TARGET) --stage $(or $(STAGE),prod) $(if $(LABELS),--labels $(LABELS)) $(if $(FROM_DATASET),--from-dataset $(FROM_DATASET))

ingest-features: setup ## Load labelled CSV rows into the feature group the pipeline trains on (training_feature_group): SOURCE=data.csv or s3://bucket/prefix/ (default: the tier's training data); TIER=small, TARGET=aws
	@$(PY) scripts/ingest_features.py --tier $(or $(TIER),small) --target $(TARGET) $(if $(SOURCE),--source $(SOURCE))

test: setup package plans ## Run every check: fmt, validate, terraform test, plans, policy, Lambdas, emulator
	@$(PY) -m pytest

$(VENV)/.mutation-installed: requirements-mutation.lock $(VENV)/.installed
	@echo "==> mutmut into $(VENV) from requirements-mutation.lock"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-mutation.lock
	@touch $@

mutation: setup package plans $(VENV)/.mutation-installed ## Mutation testing of the Lambdas, policy engine and emulator extensions (not in make test; MUTATION_SAMPLE=n per file, 0 = all)
	@$(PY) scripts/mutation.py

bench-apply: setup package ## Apply medium on the emulator with 1 and 3 use cases, timed, each destroyed again (needs `make up`; not in make bench: minutes)
	@$(PY) scripts/bench_apply_use_cases.py medium

check: check-fmt check-validate check-docs check-unit ## Fast feedback, under a minute warm: fmt, validate, docs and READMEs, unit tests (no plans, no emulator); .pre-commit-config.yaml runs the same

check-fmt: ## terraform fmt -check of modules and environments
	@terraform fmt -check -recursive modules environments >/dev/null || { terraform fmt -check -recursive modules environments; echo "unformatted: run make fmt"; exit 1; }

check-validate: setup package ## terraform validate of each environment, and so of every module it calls
	@for tier in $(TIERS); do $(PY) scripts/tier.py validate $$tier >/dev/null || $(PY) scripts/tier.py validate $$tier; done; echo "==> terraform validate: $(TIERS) valid"

check-docs: setup ## Inputs/outputs tables and the README's layout and links are current
	@$(PY) scripts/docs.py --check
	@$(PY) -m pytest -n 0 tests/test_readme.py

check-unit: setup package ## Unit tests: the Lambdas against moto, the IAM evaluator's AWS semantics, docs generation
	@$(PY) -m pytest -n 2 tests/lambdas tests/policy/test_iam_semantics.py tests/test_docs.py

policy: setup ## Check build/plans/<tier>.json and the HCL against the guardrails (PLANS="a.json,b.json" for others)
	@PYTHONPATH=scripts $(PY) -m policy $(PLANS)

fmt: ## Format Terraform files
	@terraform fmt -recursive modules environments

diagrams: setup plans ## Draw docs/diagrams/<tier>.{png,svg} (and the graph .json) from each tier's plan, and large's per-flow views
	@$(PY) scripts/architecture.py

docs: setup ## Regenerate the inputs/outputs tables of the module READMEs
	@$(PY) scripts/docs.py


bench: setup package plans ## Benchmarks: Lambda import times, plan-large against its provider floor and with 1, 5 and 20 use cases, make policy on the tier plans (scripts/bench_*.py)
	@$(PY) scripts/bench_lambda_imports.py
	@$(PY) scripts/bench_plan.py large --runs 3
	@$(PY) scripts/bench_use_cases.py large --runs 3
	@$(PY) scripts/bench_policy.py --runs 3

PROVIDER_PLATFORMS := linux_amd64 linux_arm64 darwin_amd64 darwin_arm64
lock-providers: ## Record the provider's hashes for Linux and macOS (amd64, arm64) in every environment's lock file (needs registry.terraform.io)
	@for tier in $(TIERS); do echo "==> environments/$$tier/.terraform.lock.hcl: $(PROVIDER_PLATFORMS)"; \
	  (cd environments/$$tier && TF_CLI_CONFIG_FILE=/dev/null terraform providers lock $(addprefix -platform=,$(PROVIDER_PLATFORMS))) \
	  || { echo "error: terraform providers lock needs registry.terraform.io (run it on a connected machine)"; exit 1; }; done

clean: ## Remove build output and Terraform working directories (keeps the virtualenvs)
	@rm -rf build
	@find modules environments -name .terraform -type d -prune -exec rm -rf {} +
