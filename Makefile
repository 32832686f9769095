# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install run test test-eventstore lint format bench token lock clean openapi openapi-check deploy-check sdk chaos e2e bench-quick fuzz browser

help:
	@echo "make run | test | e2e | chaos | token ROLE=... ORG=... | lint | openapi | sdk | bench | lock | clean"

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m tools.devserver

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Fault tests: kill -9, PostgreSQL stopped and restarted, two instances, a held transaction (issue 8).
chaos: $(STAMP)
	$(PY) -m pytest -m chaos -p no:cacheprovider -rxX tests/chaos $(PYTEST_ARGS)

# Whole journeys across the four services as real processes, driven only through the generated SDKs (issue 7).
e2e: sdk
	timeout -s INT -k 30 600 $(PY) -m pytest -m e2e_journeys -p no:cacheprovider -rxX tests/e2e/journeys $(PYTEST_ARGS)

# schemathesis against the four services as processes: no 5xx, responses as documented, errors as problem+json.
fuzz: $(STAMP)
	$(PY) -m pytest -m fuzz -p no:cacheprovider tests/fuzz $(PYTEST_ARGS)

# Swagger UI in headless Chromium (Debian's chromium and chromium-driver): authorise, register, see the 201.
browser: $(STAMP)
	$(PY) -m pytest -m browser -p no:cacheprovider tests/browser $(PYTEST_ARGS)

# The event-store integration tests alone (CI re-runs them against the machine's PostgreSQL).
test-eventstore: $(STAMP)
	$(PY) -m pytest -m eventstore $(PYTEST_ARGS)

token: $(STAMP)
	@$(PY) -m tools.token $(if $(ROLE),--role $(ROLE)) $(if $(ORG),--org $(ORG))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services tools tests

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The OpenAPI documents under openapi/ (what client SDKs are generated from).
openapi: $(STAMP)
	$(PY) -m tools.openapi

openapi-check: $(STAMP)
	$(PY) -m tools.openapi --check

# Typed Python clients from the OpenAPI documents, into build/sdk/ (git-ignored).
sdk: $(STAMP)
	$(PY) -m tools.sdk

# The Kubernetes manifests against the Kubernetes schemas, the compose file against the compose spec.
deploy-check: $(STAMP)
	$(VENV)/bin/kubernetes-validate --strict --quiet deploy/k8s/*.yaml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml

bench: $(STAMP)
	$(PY) -m tools.bench $(BENCH_ARGS)

# The same keys at small sizes (about a minute).
bench-quick: $(STAMP)
	$(PY) -m tools.bench --quick

# Re-pin every dependency into requirements.lock.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
