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


# Kind -> query returning (name, definition) of every object of that kind in schema :schema.
_DEFINITIONS = {
    "function": "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) "
    "|| ' owner ' || pg_get_userbyid(p.proowner) FROM pg_proc p "
    "WHERE p.pronamespace = to_regnamespace(:schema)",
    "relation": "SELECT c.relname, c.relkind::text || ' owner ' || pg_get_userbyid(c.relowner) "
    "|| ' acl ' || coalesce(c.relacl::text, '') || ' ' "
    "|| CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) "
    "WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) ELSE '' END "
    "FROM pg_class c WHERE c.relnamespace = to_regnamespace(:schema) AND c.relkind <> 'S'",
    "column": "SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) "
    "|| ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') "
    "|| ' ' || a.attidentity::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE c.relnamespace = to_regnamespace(:schema) AND a.attnum > 0 AND NOT a.attisdropped",
    "constraint": "SELECT c.relname || '.' || k.conname, pg_get_constraintdef(k.oid) "
    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
    "WHERE c.relnamespace = to_regnamespace(:schema)",
    "trigger": "SELECT c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE c.relnamespace = to_regnamespace(:schema) AND NOT t.tgisinternal",
}


def definitions(url: str, schema: str) -> dict[str, dict[str, str]]:
    """The definition of every object of ``schema`` as PostgreSQL prints it, by kind and name:
    functions (body, properties, owner), relations (owner, grants, view and index
    definitions), columns (type, nullability, default, identity), constraints, triggers."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        result = {
            kind: dict(connection.execute(sa.text(query), {"schema": schema}).all())
            for kind, query in _DEFINITIONS.items()
        }
    engine.dispose()
    return result
