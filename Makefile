# Provider View: the two commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test dev docs lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@# dbt's manifest, which the Dagster graph is built from: parsed here, as an image's
	@# build step would, so the first run does not wait for it (a run re-parses if stale,
	@# and says why a parse fails)
	$(BIN)/python -m orchestration.defs.dbt_parse || echo "· dbt parse failed: the first run parses"
	touch $(STAMP)

demo: install
	$(BIN)/provider-view demo

test: install
	$(BIN)/pytest

# The UI of one warehouse (default data/warehouse.duckdb; `make dev WAREHOUSE=path`), on its
# own instance, with the inputs and sources the CLI last ran there.
dev: install
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/provider-view ui $(if $(WAREHOUSE),--warehouse $(WAREHOUSE))

# The dbt docs site (models, columns, lineage, exposures) for the warehouse at
# PROVIDER_VIEW_WAREHOUSE (default data/warehouse.duckdb, e.g. after `make demo`), read
# through the read-only target, served on this machine only.
DOCS_PORT ?= 8580
docs: install
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . --target reader
	@echo "dbt docs: http://127.0.0.1:$(DOCS_PORT)  (Ctrl-C stops the server)"
	cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir . --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data/warehouse.duckdb data/demo data/dagster dbt_project/target
