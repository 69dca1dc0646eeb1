"""Upstream's ``pycds.util``: SQL helpers used by clients and by pycds itself.

``schema_func`` calls a function of the configured schema (``schema_func.daysinmonth(x)``
renders ``<schema>.daysinmonth(x)``); ``variable_tags(Variable)`` is the expression
``<schema>.variable_tags(meta_vars)``, which passes the whole ``meta_vars`` row to the
database function of that name (``{climatology}`` or ``{observation}``).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TEXT

from pycds.config import get_schema_name

schema_func = getattr(sa.func, get_schema_name())


def variable_tags(table: type | sa.Table) -> sa.FunctionElement:
    """``<schema>.variable_tags(<table>)`` for a mapped class or table whose rows are
    ``meta_vars`` rows (typically ``Variable``); it returns ``text[]``."""
    name = getattr(table, "__tablename__", None) or table.name
    return schema_func.variable_tags(sa.literal_column(name), type_=ARRAY(TEXT))


def compile_query(statement: sa.ClauseElement | sa.orm.Query, bind=None) -> str:
    """The SQL of ``statement`` with its parameter values inlined (for debugging only)."""
    if isinstance(statement, sa.orm.Query):
        if bind is None:
            bind = statement.session.get_bind()
        statement = statement.statement
    dialect = bind.dialect if bind is not None else sa.dialects.postgresql.dialect()
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


_CAMEL_BOUNDARY = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def snake_case(ident: str) -> str:
    """``"MyBigDeal"`` -> ``"my_big_deal"``."""
    return _CAMEL_BOUNDARY.sub(r"_\1", ident).lower()


def ddl_escape(text: str) -> str:
    """Escape ``%`` so that SQLAlchemy's ``DDL`` keeps it as written."""
    return text.replace("%", "%%")


def compact_join(*parts: str | None, separator: str = " ") -> str:
    """Join the non-empty ``parts`` with ``separator`` (SQL with optional clauses)."""
    return separator.join(part for part in parts if part)


__all__ = [
    "compact_join",
    "compile_query",
    "ddl_escape",
    "schema_func",
    "snake_case",
    "variable_tags",
]
