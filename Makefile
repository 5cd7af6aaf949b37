# Herald: `make run` starts everything; `make test` runs the whole suite. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run ops-link test test-fast lint typecheck e2e client-suites bench bench-mixed bench-scale clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP) ## Start the whole stack: embedded PostgreSQL + Redis, API, workers, beat, simulator
	$(BIN)/python -m devstack

ops-link: $(STAMP) ## Print a one-time sign-in link to the operator console of the Herald `make run` started
	@$(BIN)/python -m devstack.ops_link

test: lint typecheck ## The whole suite (lint and type check first), on embedded PostgreSQL + Redis
	$(BIN)/pytest -n 2 -q

test-fast: $(STAMP) ## The suite without the whole-stack (e2e) and reliability tests
	$(BIN)/pytest -n 2 -q -m "not e2e" --ignore=tests/reliability

e2e: $(STAMP) ## Only the whole-stack tests: a real API, Celery worker and simulator
	$(BIN)/pytest -n 2 -q tests/e2e

# The service they need is seeded by `make run` (.data/functional-test-service.json); see tests/e2e/client_suites/.
client-suites: $(STAMP) ## The official Python and Node clients' own integration tests, against a running `make run`
	$(BIN)/python -m tests.e2e.client_suites.run_suites

lint: $(STAMP) ## ruff's checks and its format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy, strict on app/, config.py and devstack/
	$(BIN)/mypy

# API accept rate against a no-work baseline, end to end through the simulator, receipts, limit checks, then the
# scale-out table (Redis and RabbitMQ × 1, 2, 4 workers). The mixed load has its own target.
bench: $(STAMP) ## The benchmarks (benchmarks/RESULTS.md); about 5 minutes
	$(BIN)/python benchmarks/bench.py

bench-mixed: $(STAMP) ## Only the mixed-load phase: a 20,000-row job with priority and other services' sends (lanes)
	$(BIN)/python benchmarks/bench.py --only mixed

bench-scale: $(STAMP) ## Only the scale-out phase: end to end on Redis and RabbitMQ with 1, 2 and 4 normal workers
	$(BIN)/python benchmarks/bench.py --only scale

clean: ## Remove the test suite's embedded databases
	rm -rf .data/test-redis .data/test-postgres
