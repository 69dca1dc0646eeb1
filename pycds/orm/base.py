"""The declarative base and its metadata, bound to the configured schema.

The naming convention reproduces PostgreSQL's own default names (``<table>_pkey``,
``<table>_<column>_fkey``), so that constraints created by ``create_all``, by the
migrations and by hand all carry the same names and autogenerate can match them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from pycds.config import get_schema_name

NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}

metadata = sa.MetaData(schema=get_schema_name(), naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Declarative base of every pycds table."""

    metadata = metadata


def fk(target: str) -> str:
    """A foreign-key target ``table.column`` qualified with the configured schema."""
    return f"{metadata.schema}.{target}"
