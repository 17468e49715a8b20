# Developer and CI entry points. Run `make` or `make help` for the list.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

SOLUTION := HealthcareBackend.slnx
SCRIPTS := devops/scripts

.PHONY: help run stop-local reset-local test test-only lint build format clean
.PHONY: k8s-local-deploy k8s-local-access k8s-local-stop

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

test: lint ## Lint, then build and run all tests against temporary servers
	@$(SCRIPTS)/ci/test.sh

test-only: ## Build and run all tests without linting
	@$(SCRIPTS)/ci/test.sh

lint: ## Check C# formatting (dotnet format) and shell scripts (shellcheck)
	@$(SCRIPTS)/ci/lint.sh

build: ## Build the solution in Release
	dotnet build $(SOLUTION) -c Release

format: ## Apply dotnet format fixes to the C# code
	dotnet format $(SOLUTION)

k8s-local-deploy: ## Deploy to a local kind cluster (creates it; builds and loads the image)
	@$(SCRIPTS)/k8s/local.sh deploy

k8s-local-access: ## Forward the local cluster's API to http://localhost:8088
	@$(SCRIPTS)/k8s/local.sh access

k8s-local-stop: ## Delete the local kind cluster
	@$(SCRIPTS)/k8s/local.sh stop

clean: ## Remove build outputs (bin/, obj/, test results)
	@if [[ -f $(SOLUTION) ]]; then dotnet clean $(SOLUTION) -nologo -v q >/dev/null || true; fi
	@find src tests -type d \( -name bin -o -name obj -o -name TestResults \) -prune -exec rm -rf {} + 2>/dev/null || true
	@rm -rf TestResults BenchmarkDotNet.Artifacts
	@echo "Removed build outputs."
