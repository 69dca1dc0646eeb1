# The two commands of the README, and a few helpers. Everything runs in .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup db autogen check test lint format clean

# Three distributions, all editable: alembic-rewriters (rewriters/), alembic-autogen-filters
# (autogen_filters/) and pycds (pycds/, which depends on the other two).
$(STAMP): pyproject.toml pycds/pyproject.toml autogen_filters/pyproject.toml rewriters/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ./rewriters -e ./autogen_filters -e './pycds[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The reference database of the variant: ref (plain), or ref_<like> (e.g. like=crmp: ref_crmp).
REF := $(if $(like),ref_$(like),ref)

## Start the local server and bring the reference database to head (like=crmp: ref_crmp).
db: setup
	$(BIN)/pycds-db up $(if $(like),--like $(like))

## The main job: draft a migration by autogenerate against the reference database.
## verify=1: apply the draft to a seeded copy of ref and write the verdict into it;
## hazards=error: fail on any unacknowledged hazard.
autogen: db
	@test -n "$(m)" || { echo 'usage: make autogen m="what the migration does" [like=crmp] [verify=1] [hazards=error]' >&2; exit 2; }
	$(BIN)/alembic -x db=$(REF) $(if $(verify),-x verify=true) $(if $(hazards),-x hazards=$(hazards)) revision --autogenerate -m "$(m)"

## Drift check of the reference database against the ORM and the divergence registry.
check: db
	$(BIN)/alembic -x db=$(REF) check

## The test suite, on a PostgreSQL that it starts itself: in the default schema, then in
## another one, since every migration must run in whatever schema PYCDS_SCHEMA_NAME names.
test: setup
	PYCDS_SCHEMA_NAME=crmp $(BIN)/python -m pytest $(PYTEST_ARGS)
	PYCDS_SCHEMA_NAME=other $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	-$(BIN)/pycds-db down
	rm -rf $(VENV) .pycds-db
