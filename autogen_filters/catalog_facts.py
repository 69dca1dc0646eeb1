"""What the reference database knows that an op tree does not, read once per run.

* which tables, views and materialized views exist, and their row estimates
  (``pg_class.reltuples``; ``None`` when never analysed), so that lock and rewrite warnings
  scale with the real database;
* which materialized views use which functions, directly or through views
  (``pg_depend`` on the views' rewrite rules); calls hidden in PL/pgSQL bodies are not
  recorded by PostgreSQL and cannot be seen;
* the volatility of functions (``pg_proc.provolatile``), to tell whether a column default
  forces a table rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

__all__ = ["CatalogFacts"]

_ROWS = sa.text(
    """
    SELECT n.nspname, c.relname, c.reltuples
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'v') AND n.nspname = ANY(:schemas)
    """
)

_MATVIEW_FUNCTIONS = sa.text(
    """
    WITH RECURSIVE uses(relation, function) AS (
        SELECT r.ev_class, d.refobjid
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_proc'::regclass
      UNION
        SELECT r.ev_class, uses.function
        FROM uses
        JOIN pg_depend d ON d.refobjid = uses.relation AND d.refclassid = 'pg_class'::regclass
             AND d.classid = 'pg_rewrite'::regclass
        JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> uses.relation
    )
    SELECT DISTINCT fn.nspname, p.proname, mn.nspname, m.relname
    FROM uses
    JOIN pg_class m ON m.oid = uses.relation AND m.relkind = 'm'
    JOIN pg_namespace mn ON mn.oid = m.relnamespace
    JOIN pg_proc p ON p.oid = uses.function
    JOIN pg_namespace fn ON fn.oid = p.pronamespace
    WHERE mn.nspname = ANY(:schemas)
    """
)

_VOLATILE = sa.text("SELECT DISTINCT proname FROM pg_proc WHERE provolatile = 'v'")

_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_$]*)\s*\(")


@dataclass
class CatalogFacts:
    """Facts about the relations and functions of the managed schema(s)."""

    rows: dict[tuple[str, str], float | None] = field(default_factory=dict)
    matviews_by_function: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    volatile_functions: frozenset[str] = frozenset()

    @classmethod
    def read(cls, connection: sa.Connection, schemas: list[str]) -> CatalogFacts:
        rows = {
            (schema, name): (float(tuples) if tuples is not None and tuples >= 0 else None)
            for schema, name, tuples in connection.execute(_ROWS, {"schemas": schemas})
        }
        matviews: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for fschema, fname, mschema, mname in connection.execute(
            _MATVIEW_FUNCTIONS, {"schemas": schemas}
        ):
            matviews.setdefault((fschema, fname), set()).add((mschema, mname))
        volatile = frozenset(name for (name,) in connection.execute(_VOLATILE))
        return cls(rows=rows, matviews_by_function=matviews, volatile_functions=volatile)

    def exists(self, schema: str, name: str) -> bool:
        return (schema, name) in self.rows

    def row_estimate(self, schema: str, name: str) -> float | None:
        """Estimated rows; ``None`` when unknown (new relation, or never analysed)."""
        return self.rows.get((schema, name))

    def is_volatile(self, expression: str) -> bool:
        """True when the SQL expression calls a volatile function (``random()``, ``nextval``)."""
        return any(
            name.lower() in self.volatile_functions for name in _CALL.findall(expression or "")
        )

    def matviews_using(self, schema: str, function: str) -> set[tuple[str, str]]:
        return set(self.matviews_by_function.get((schema, function), ()))
