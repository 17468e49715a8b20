# Developer and CI entry points. Run `make` or `make help` for the list.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

SOLUTION := HealthcareBackend.slnx
SCRIPTS := devops/scripts

.PHONY: help run stop-local reset-local test test-only test-under-load chaos clients lint build format clean
.PHONY: start logs stop restart rebuild prod-start prod-logs prod-stop prod-local
.PHONY: k8s-namespace k8s-image k8s-local-deploy k8s-local-access k8s-local-stop k8s-rules

help: ## Show this list of targets
	@echo "Usage: make <target>"
	@echo
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | \
		awk 'BEGIN { FS = ":.*## " } { printf "  %-17s %s\n", $$1, $$2 }'

run: ## Run API + worker locally with PostgreSQL and Redis (data in .data/)
	@$(SCRIPTS)/local/run.sh

stop-local: ## Stop everything started by `make run`
	@$(SCRIPTS)/local/stop.sh

reset-local: ## Stop local services and delete .data/ (database, secrets, certificate)
	@$(SCRIPTS)/local/reset.sh

prod-local: ## Production topology as local processes (3 APIs behind HAProxy), smoke and failover check
	@$(SCRIPTS)/local/prod-local.sh

# Load tests; see docs/performance.md.
.PHONY: seed-large bench
seed-large: ## Load 2M appointments, 200k patients (SEED_SCALE=0.01 for less) into the make run database or DATABASE_URL
	@$(SCRIPTS)/local/seed-large.sh

bench: ## Benchmark the API on private servers (BENCH_SCALE, BENCH_DURATION, BENCH_QUICK=1); writes docs/performance.md
	@$(SCRIPTS)/bench/bench.sh

# Docker Compose (devops/docker). Each fails at once, in one line, where Docker is missing.
start: ## Start the Docker Compose development environment (TOOLS=1 adds pgAdmin, Redis Commander, Adminer)
	@$(SCRIPTS)/docker/compose.sh dev start

logs: ## Follow the logs of the development environment
	@$(SCRIPTS)/docker/compose.sh dev logs

stop: ## Stop the development environment (data volumes are kept)
	@$(SCRIPTS)/docker/compose.sh dev stop

restart: ## Restart the development environment
	@$(SCRIPTS)/docker/compose.sh dev restart

rebuild: ## Rebuild the development image without cache and restart
	@$(SCRIPTS)/docker/compose.sh dev rebuild

prod-start: ## Start the production compose stack (3 API replicas behind HAProxy on 80/443)
	@$(SCRIPTS)/docker/compose.sh prod start

prod-logs: ## Follow the logs of the production compose stack
	@$(SCRIPTS)/docker/compose.sh prod logs

prod-stop: ## Stop the production compose stack (data volumes are kept)
	@$(SCRIPTS)/docker/compose.sh prod stop

test: lint ## Lint, then build and run all tests against temporary servers
	@$(SCRIPTS)/ci/test.sh

test-only: ## Build and run all tests without linting
	@$(SCRIPTS)/ci/test.sh

test-under-load: ## Build and run all tests beside stress-ng --cpu 2 (docs/architecture.md)
	@TEST_CPU_HOG=1 $(SCRIPTS)/ci/test.sh

chaos: ## Long fault-injection tests (API kills, PostgreSQL restarts) and a 50,000-case fuzz (docs/operations/chaos.md)
	@$(SCRIPTS)/ci/chaos.sh

clients: ## Refresh the committed API contract and regenerate the SDKs from it (clients/)
	@$(SCRIPTS)/ci/clients.sh

lint: ## Check C# formatting (dotnet format) and shell scripts (shellcheck)
	@$(SCRIPTS)/ci/lint.sh

build: ## Build the solution in Release
	dotnet build $(SOLUTION) -c Release

format: ## Apply dotnet format fixes to the C# code
	dotnet format $(SOLUTION)
	dotnet format clients/dotnet/HealthcareBackend.Client.slnx --exclude clients/dotnet/src/HealthcareBackend.Client/Generated

k8s-namespace: ## Create or update the namespace and its Roles (a cluster administrator, before the first deploy)
	kubectl apply -k devops/kubernetes/namespace/

k8s-image: ## Pin an overlay to an image digest CI pushed: make k8s-image OVERLAY=production DIGEST=sha256:...
	@$(SCRIPTS)/k8s/set-image.sh "$(OVERLAY)" "$(DIGEST)"

k8s-local-deploy: ## Deploy to a local kind cluster (creates it; builds and loads the image)
	@$(SCRIPTS)/k8s/local.sh deploy

k8s-local-access: ## Forward the local cluster's API to http://localhost:8088
	@$(SCRIPTS)/k8s/local.sh access

k8s-local-stop: ## Delete the local kind cluster
	@$(SCRIPTS)/k8s/local.sh stop

k8s-rules: ## Regenerate the Kubernetes PrometheusRule from devops/monitoring/alert-rules.yml
	@$(SCRIPTS)/monitoring/prometheus-rule.sh

clean: ## Remove build outputs (bin/, obj/, test results)
	@if [[ -f $(SOLUTION) ]]; then dotnet clean $(SOLUTION) -nologo -v q >/dev/null || true; fi
	@find src tests -type d \( -name bin -o -name obj -o -name TestResults \) -prune -exec rm -rf {} + 2>/dev/null || true
	@rm -rf TestResults BenchmarkDotNet.Artifacts
	@echo "Removed build outputs."

# Operations scripts (devops/scripts/{backup,monitoring,deployment}); see docs/operations/ci-cd.md.
.PHONY: backup restore smoke-test check-health

backup: ## Back up DATABASE_URL (default: the make run database, as its read-only backup role) into backups/
	@$(SCRIPTS)/backup/backup.sh

restore: ## Restore DUMP=backups/x.dump into a new database TARGET=name (owner: healthcare), and verify it
	@$(SCRIPTS)/backup/restore.sh "$(DUMP)" "$(TARGET)"

smoke-test: ## Smoke-test the API at BASE_URL (default: make run's, as the demo doctor)
	@if [[ -z "$${SMOKE_TEST_EMAIL:-}" && -f .data/demo-credentials.txt ]]; then \
		export SMOKE_TEST_EMAIL=doctor@demo.healthcare.test; \
		SMOKE_TEST_PASSWORD="$$(awk '$$1 == "doctor" { print $$3 }' .data/demo-credentials.txt)"; \
		export SMOKE_TEST_PASSWORD; \
	fi; \
	$(SCRIPTS)/deployment/smoke-test.sh "$${BASE_URL:-http://localhost:8088}"

check-health: ## Check readiness and metrics of the API at BASE_URL (default: make run's)
	@$(SCRIPTS)/monitoring/check-health.sh "$${BASE_URL:-http://localhost:8088}"
