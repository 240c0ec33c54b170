# Citizen service assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: help setup train run run-scaled test test-fast lint eval bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## create or reuse .venv (3.11+) and .venv-rasa (3.10)
	@scripts/setup.sh all

train: setup ## train the Rasa model if its inputs changed
	@scripts/train.sh >/dev/null

run: setup ## start Rasa (5005), actions (5055) and the catalogue service (8080); Ctrl-C stops them
	@model=$$(scripts/train.sh) && $(PY) -m service_catalog index build >/dev/null && $(PY) scripts/stack.py run --model "$$model"

run-scaled: setup ## the same assistant scaled out: PostgreSQL, Redis, nginx edge (8000), 2 × Rasa, actions, catalogue
	@model=$$(scripts/train.sh) && CATALOG_DATA_DIR=var/scaled/catalogue $(PY) -m service_catalog index build >/dev/null && $(PY) scripts/scaled.py run --model "$$model"

test: setup ## the whole suite: unit, integration, end-to-end, browser
	@scripts/train.sh >/dev/null
	@$(PY) -m pytest -m "" $(PYTEST_ARGS)

test-fast: setup ## unit tests only (no model, no processes)
	@$(PY) -m pytest -m "not slow and not e2e and not browser" $(PYTEST_ARGS)

lint: setup ## ruff, mypy and the import contracts (import-linter) on our packages
	@$(PY) -m ruff check service_catalog actions common scripts tests bot benchmarks
	@$(PY) -m ruff format --check service_catalog actions common scripts tests bot benchmarks
	@$(PY) -m mypy
	@.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache

eval: setup ## search quality (BM25, dense, hybrid side by side), then the conversation scripts against the assistant
	@$(PY) -m service_catalog eval
	@model=$$(scripts/train.sh) && $(PY) -m service_catalog index build >/dev/null && $(PY) scripts/conversation_eval.py --model "$$model"

bench: setup ## benchmarks: search latency and index build, conversation turn latency
	@$(PY) -m benchmarks.run

clean: ## remove trained models, index files and logs (keeps the venvs)
	rm -rf models var
