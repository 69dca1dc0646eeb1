"""Running autogenerate (ours and stock alembic-utils') and applying its ops, for tests and the
benchmark.  Everything runs against a real PostgreSQL connection."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.operations.ops import MigrationScript
from alembic_utils.replaceable_entity import ReplaceableEntity, register_entities, registry

from autogen_filters.replaceables import Registration, clear_replaceables
from autogen_filters.replaceables.catalog import MANAGED_KINDS


def autogenerate(
    conn: sa.Connection,
    entities: Sequence[ReplaceableEntity],
    schemas: Sequence[str],
    *,
    metadata: sa.MetaData | None = None,
    extra_sql: Callable | None = None,
    include_object: Callable | None = None,
    include_name: Callable | None = None,
    include_schemas: bool = False,
    registration: Registration | None = None,
    kinds: Sequence[type] | None = None,
) -> MigrationScript:
    """Autogenerate with our comparator (alembic-utils' registry stays empty).  Pass a
    ``registration`` to read its ``last_plan`` afterwards; ``kinds`` restricts the compared
    entity classes (default: all)."""
    registry.clear()
    clear_replaceables()
    if registration is None:
        registration = Registration(entities=list(entities), schemas=tuple(schemas))
        if kinds is not None:
            registration.kinds = tuple(kinds)
    if extra_sql is not None:
        registration.extra_sql = extra_sql
    return _produce(conn, metadata, registration, include_object, include_name, include_schemas)


def stock_autogenerate(
    conn: sa.Connection,
    entities: Sequence[ReplaceableEntity],
    *,
    metadata: sa.MetaData | None = None,
    include_object: Callable | None = None,
    include_name: Callable | None = None,
) -> MigrationScript:
    """Autogenerate with alembic-utils 0.8.8's own comparator."""
    clear_replaceables()
    registry.clear()
    register_entities(list(entities), entity_types=list(MANAGED_KINDS))
    try:
        return _produce(conn, metadata, None, include_object, include_name)
    finally:
        registry.clear()


def _produce(
    conn, metadata, registration, include_object, include_name, include_schemas=False
) -> MigrationScript:
    opts = {"include_schemas": include_schemas, "replaceables": registration}
    if include_object is not None:
        opts["include_object"] = include_object
    if include_name is not None:
        opts["include_name"] = include_name
    context = MigrationContext.configure(connection=conn, opts=opts)
    return produce_migrations(context, metadata if metadata is not None else sa.MetaData())


IMPORTS = """
import sqlalchemy as sa
from sqlalchemy import text as sql_text
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_view import PGView
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_policy import PGPolicy
from alembic_utils.pg_grant_table import PGGrantTable
"""


def render(ops) -> str:
    """The Python code a revision file would hold for ``ops`` (upgrade or downgrade)."""
    code = render_python_code(ops)
    body = [line for line in code.splitlines() if not line.lstrip().startswith("# ###")]
    return textwrap.dedent("\n".join(body))


def apply(conn: sa.Connection, ops) -> str:
    """Render ``ops`` as migration code and execute it, as a revision file would be."""
    code = render(ops)
    operations = Operations(MigrationContext.configure(connection=conn))
    namespace: dict = {"op": operations}
    exec(IMPORTS + code, namespace)
    return code
