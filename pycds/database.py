"""Upstream's ``pycds.database``: checks a client makes against a live database.

Every function accepts an ``Engine``, a ``Connection`` or a ``Session`` wherever upstream
took an "executor" or an engine. Values are passed as bind parameters, never pasted into SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from pycds.config import get_schema_name, plain_identifier

Executor = sa.Engine | Connection | Session


@contextmanager
def _executing(executor: Executor) -> Iterator[Connection | Session]:
    if isinstance(executor, sa.Engine):
        with executor.connect() as connection:
            yield connection
    else:
        yield executor


def check_migration_version(
    executor: Executor, schema_name: str | None = None, version: str | None = None
) -> None:
    """Raise ``ValueError`` unless ``<schema>.alembic_version`` holds ``version``.

    ``version`` defaults to the head of this pycds's migration chain; ``schema_name`` to the
    configured schema.
    """
    schema = plain_identifier("schema_name", schema_name or get_schema_name())
    if version is None:
        from pycds.alembic.info import get_current_head

        version = get_current_head()
    with _executing(executor) as conn:
        current = conn.execute(
            sa.text(f"SELECT version_num FROM {schema}.alembic_version")
        ).scalar()
    if current != version:
        raise ValueError(
            f"Schema {schema} must be at Alembic version {version}; detected version {current}."
        )


def get_postgresql_version(engine: sa.Engine | Connection) -> tuple[int, int]:
    """The server's (major, minor) version; ``ValueError`` if it is not PostgreSQL."""
    if engine.dialect.name.lower() != "postgresql":
        raise ValueError("We are not running on PostgreSQL.")
    with _executing(engine) as conn:
        version = conn.execute(sa.text("SELECT version()")).scalar()
    match = re.match(r"PostgreSQL (\d+)\.(\d+)", version)
    if match is None:
        raise ValueError(f"unrecognised server version {version!r}")
    return int(match.group(1)), int(match.group(2))


def db_supports_statement(engine: sa.Engine | Connection, statement: str) -> bool:
    """Whether the database can execute ``statement``; its effect is rolled back.

    On a connection already in a transaction (a migration), only a savepoint is rolled back.
    """
    session = sessionmaker(bind=engine, join_transaction_mode="create_savepoint")()
    try:
        session.execute(sa.text(statement))
        return True
    except ProgrammingError:
        return False
    finally:
        session.rollback()
        session.close()


def db_supports_matviews(engine: sa.Engine | Connection) -> bool:
    """Whether the database supports materialized views."""
    return db_supports_statement(engine, "CREATE MATERIALIZED VIEW test AS SELECT 1")


_ITEM_QUERIES = {
    "routines": "SELECT routine_name FROM information_schema.routines "
    "WHERE specific_schema = :schema",
    "tables": "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema",
    "views": "SELECT table_name FROM information_schema.views WHERE table_schema = :schema",
    "matviews": "SELECT matviewname FROM pg_matviews WHERE schemaname = :schema",
    "indexes": "SELECT indexname FROM pg_indexes WHERE schemaname = :schema AND tablename = :table",
    "constraints": "SELECT con.conname FROM pg_catalog.pg_constraint AS con "
    "JOIN pg_catalog.pg_class AS rel ON rel.oid = con.conrelid "
    "JOIN pg_catalog.pg_namespace AS nsp ON nsp.oid = con.connamespace "
    "WHERE nsp.nspname = :schema AND rel.relname = :table AND con.contype = :contype",
}


def get_schema_item_names(
    executor: Executor,
    item_type: str,
    table_name: str | None = None,
    constraint_type: str | None = None,
    schema_name: str | None = None,
) -> set[str]:
    """Names of the schema's items of one type.

    ``item_type``: ``routines``, ``tables``, ``views``, ``matviews``, ``indexes`` (of
    ``table_name``) or ``constraints`` (of ``table_name``, whose ``constraint_type`` is named
    by its first letter: ``primary``, ``foreign``, ``unique``, ``check``, ``exclusion``).
    """
    query = _ITEM_QUERIES.get(item_type)
    if query is None:
        raise ValueError("invalid item type")
    contype = None
    if item_type == "constraints":
        contype = (constraint_type or "")[:1].lower()
        contype = "x" if contype == "e" else contype
    params = {"schema": schema_name or get_schema_name(), "table": table_name, "contype": contype}
    with _executing(executor) as conn:
        rows = conn.execute(sa.text(query), {k: v for k, v in params.items() if f":{k}" in query})
        return {row[0] for row in rows}


def matview_exists(engine: Executor, name: str, schema: str | None = None) -> bool:
    """Whether materialized view ``name`` exists in ``schema`` (default: the configured one)."""
    return name in get_schema_item_names(engine, "matviews", schema_name=schema)


__all__ = [
    "check_migration_version",
    "db_supports_matviews",
    "db_supports_statement",
    "get_postgresql_version",
    "get_schema_item_names",
    "matview_exists",
]
