"""Snapshots of what a schema holds, read from the PostgreSQL catalogs."""

from __future__ import annotations

import sqlalchemy as sa

# Kind -> query returning the names of that kind of object in schema :schema.
_QUERIES = {
    "table": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p')",
    "view": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND c.relkind = 'v'",
    "matview": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND c.relkind = 'm'",
    "index": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND c.relkind = 'i'",
    "sequence": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND c.relkind = 'S'",
    "function": "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = :schema",
    "trigger": "SELECT c.relname || '.' || t.tgname FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :schema AND NOT t.tgisinternal",
    "type": "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE n.nspname = :schema AND t.typtype IN ('e', 'c', 'd') AND NOT EXISTS "
    "(SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')",
}


def schema_objects(connection: sa.Connection, schema: str) -> dict[str, set[str]]:
    """Every object of ``schema``, by kind."""
    return {
        kind: set(connection.scalars(sa.text(query), {"schema": schema}))
        for kind, query in _QUERIES.items()
    }


def snapshot(url: str, schema: str) -> dict[str, set[str]]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        result = schema_objects(connection, schema)
    engine.dispose()
    return result


def added(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, set[str]]:
    """What ``after`` has that ``before`` has not, by kind (kinds with nothing left out)."""
    return {kind: after[kind] - before[kind] for kind in after if after[kind] - before[kind]}
