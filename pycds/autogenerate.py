"""pycds's use of the generic autogenerate tools: what env.py wires, in one place.

- The replaceable objects (extensions, functions, views, matviews, triggers, and the standard
  grants on views and history tables) are compared by :mod:`autogen_filters.replaceables`;
  each matview it creates or replaces gets its indexes and the standard grants again
  (:func:`extra_sql`).
- Known divergences are filtered by :class:`autogen_filters.AutogenFilters`, then the
  rename rewriter turns drop + add pairs into renames (declared in pyproject.toml, by an
  ORM ``info={"renamed_from": ...}`` hint, or inferred under the shared pairing rules); a
  rename of a tracked table or of one of its columns is applied to its history table too.
- Entity ops are rendered with ``schema_name`` for the schema, in every string
  (:mod:`autogen_filters.entity_schema`, probing pycds's entity builders).
- The hazard report judges the final draft (``-x hazards=warn|error|off``), and
  ``-x verify=true`` applies each new draft to a seeded copy of the reference database
  (:mod:`autogen_filters.verify`, seeded by :mod:`pycds.sample_rows`).
"""

from __future__ import annotations

from pathlib import Path

from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from alembic_utils.replaceable_entity import ReplaceableEntity

from autogen_filters import AutogenFilters, load_registry
from autogen_filters.entity_schema import make_entity_schema_writer
from autogen_filters.hazards import HazardChecker
from autogen_filters.renames import make_rename_writer
from autogen_filters.replaceables import register_replaceables
from autogen_filters.verify import DraftVerifier
from pycds.migration_helpers import standard_grant_statements
from pycds.replaceables import all_entities, indexes_of
from pycds.sample_rows import seed
from pycds.tracking import hx_companions
from rewriters.config import load_config

# Where env.py leaves the filters of the current run (see process_revision_directives).
FILTERS_ATTRIBUTE = "autogen_filters"

#: The kinds pycds declares and compares (:func:`pycds.replaceables.declared_entities`):
#: the standard grants on views and history tables are ``PGGrantTable`` entities, so a missing
#: or extra grant shows up in autogenerate.
KINDS = (PGExtension, PGFunction, PGView, PGMaterializedView, PGTrigger, PGGrantTable)


def extra_sql(entity: ReplaceableEntity) -> list[str]:
    """SQL to run after a matview is (re)created: its indexes and the standard grants.

    Grants on materialized views are invisible to the grant kind (``information_schema``
    leaves matviews out), so they cannot be entities: they are re-applied here instead.
    """
    if not isinstance(entity, PGMaterializedView):
        return []
    indexes = indexes_of(entity.signature, entity.schema)
    return [
        *(index.create_sql(if_not_exists=True) for index in indexes),
        *standard_grant_statements(entity.schema, entity.signature),
    ]


def register(
    entities: list[ReplaceableEntity], schema: str, filters: AutogenFilters | None = None
) -> None:
    """Compare ``entities`` in ``schema`` on the next autogenerate runs of this process.

    With ``filters``, column changes that they will suppress are not simulated, so views
    on those columns are not needlessly rebuilt.
    """
    predict = filters.predict_upgrade_op if filters is not None else None
    register_replaceables(
        entities, schema=schema, extra_sql=extra_sql, predict=predict, kinds=KINDS
    )


def make_filters(
    registry_path: str | Path, *, schema: str, strict: bool, hazards: str = "warn"
) -> AutogenFilters:
    """The divergence filters of ``registry_path``, followed by the rename rewriter and the
    pass that renders entity ops with ``schema_name`` for the schema; the hazard report
    (``hazards``: warn, error or off) judges the final draft, with the registry's
    ``[[acknowledge]]`` entries."""
    registry = load_registry(registry_path)
    checker = HazardChecker(schema=schema, mode=hazards, acknowledgements=registry.acknowledgements)
    filters = AutogenFilters(registry, schema=schema, strict=strict, hazards=checker)
    renames = load_config(Path(registry_path).resolve()).renames
    return filters.chain(
        make_rename_writer(renames, companions=hx_companions),
        make_entity_schema_writer(schema, probe=all_entities),
    )


def make_verifier(config, url: str, schema: str) -> DraftVerifier:
    """``-x verify=true``: the verifier of new drafts, seeding copies with pycds's sample rows."""
    return DraftVerifier(config, url=url, schema=schema, seed=seed)


def process_revision_directives(context, revision, directives) -> None:
    """The post-processor env.py installed for this run, callable from elsewhere.

    pytest-alembic runs its own verifying hook before env.py's (alembic-notes C3); giving
    it this function makes the project's filters and renames apply first.
    """
    filters = context.config.attributes.get(FILTERS_ATTRIBUTE)
    if filters is not None:
        filters.process_revision_directives(context, revision, directives)
