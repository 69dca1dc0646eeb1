"""A comparable snapshot of one schema's catalog: columns and their order, constraints,
indexes, views, functions, triggers and sequences, each as ``key -> definition`` text.

Used to decide whether a downgrade restored the schema: two snapshots of the same database,
before the upgrade and after the downgrade, must be equal. Column order is compared apart,
since only positional code (``INSERT ... SELECT (row).*``) depends on it.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["compare_snapshots", "snapshot"]

_ORDER = "column order of"

_QUERIES = {
    "column": """
        SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = :schema AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relkind IN ('r', 'p', 'v', 'm')
    """,
    _ORDER: """
        SELECT c.relname, string_agg(a.attname, ', ' ORDER BY a.attnum)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relkind IN ('r', 'p', 'v', 'm')
        GROUP BY c.relname
    """,
    "constraint": """
        SELECT c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema
    """,
    "index": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :schema",
    "view": """
        SELECT c.relname, c.relkind::text || ' ' || pg_get_viewdef(c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema AND c.relkind IN ('v', 'm')
    """,
    "function": """
        SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = :schema AND p.prokind IN ('f', 'p')
    """,
    "trigger": """
        SELECT c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema AND NOT t.tgisinternal
    """,
    "sequence": """
        SELECT c.relname, 'sequence'
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema AND c.relkind = 'S'
    """,
}


def snapshot(connection: sa.Connection, schema: str) -> dict[str, str]:
    """``"<kind> <name>" -> definition`` for every object of ``schema``."""
    found: dict[str, str] = {}
    for kind, query in _QUERIES.items():
        for name, definition in connection.execute(sa.text(query), {"schema": schema}):
            found[f"{kind} {name}"] = definition
    return found


def compare_snapshots(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    """``(differences, order_changes)``: one line per object missing, left over or changed,
    and, apart, the tables whose columns are the same but in another order (a downgrade
    re-adds a dropped column at the end; harmless unless code copies rows by position)."""
    differences, order = [], []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            differences.append(f"{key}: missing")
        elif key not in before:
            differences.append(f"{key}: left over")
        elif before[key] != after[key]:
            if key.startswith(_ORDER) and sorted(before[key].split(", ")) == sorted(
                after[key].split(", ")
            ):
                order.append(f"{key.removeprefix(_ORDER).strip()} (now {after[key]})")
            elif not key.startswith(_ORDER):
                differences.append(f"{key}: was {before[key]!r}, now {after[key]!r}")
    return differences, order
