"""History (``_hx``) tables, derived from the tables they track.

For a tracked table ``T``, ``T_hx`` holds every column of ``T`` in ``T``'s physical
order, then ``deleted``, then its own identity key ``T_hx_id``, then one ``F_hx_id``
column per foreign key of ``T`` to another tracked table ``F``. The history trigger copies
the columns ``T`` and ``T_hx`` share by name, so this module derives the tables from ``T``
rather than repeating their columns: a column added, dropped, renamed or retyped in ``T``
is changed in ``T_hx`` by the same draft.
"""

from __future__ import annotations

import sqlalchemy as sa

from pycds.orm.base import fk, metadata
from pycds.orm.tables import History, Network, Obs, Station, Variable
from pycds.tracking import HISTORY_TRACKED, HX_FOREIGN_KEYS, hx_id_name, hx_table_name

__all__ = ["HISTORY_TRACKED", "HX_FOREIGN_KEYS", "hx_id_name", "hx_table_name", "hx_tables"]


def _hx_id_type(table: str) -> type[sa.Integer]:
    # obs_raw holds ~10^9 rows with bigint ids; its history needs 64-bit ids too.
    return sa.BigInteger if table == "obs_raw" else sa.Integer


def _copied(column: sa.Column) -> sa.Column:
    """A plain copy of a main-table column: no key, no FK, no default on the copied PK.

    The PK's own default would draw values from the main table's sequence.
    """
    default = None if column.primary_key or column.server_default is None else column.server_default
    return sa.Column(
        column.name,
        column.type,
        nullable=column.nullable,
        server_default=sa.DefaultClause(default.arg) if default is not None else None,
        autoincrement=False,
    )


def make_hx_table(main: sa.Table) -> sa.Table:
    """Build ``<main>_hx`` in ``main``'s metadata."""
    name = main.name
    foreign = HX_FOREIGN_KEYS[name]
    (pk,) = main.primary_key.columns
    hx = hx_table_name(name)
    columns = [_copied(column) for column in main.columns]
    columns.append(sa.Column("deleted", sa.Boolean, server_default=sa.false()))
    columns.append(
        sa.Column(hx_id_name(name), _hx_id_type(name), sa.Identity(always=False), primary_key=True)
    )
    columns.extend(
        sa.Column(
            hx_id_name(table),
            _hx_id_type(table),
            sa.ForeignKey(fk(f"{hx_table_name(table)}.{hx_id_name(table)}")),
        )
        for table, _ in foreign
    )
    indexed = [
        pk.name,
        "mod_time",
        "mod_user",
        *(col for _, col in foreign),
        *(hx_id_name(t) for t, _ in foreign),
    ]
    indexes = [sa.Index(f"ix_{hx}_{column}", column) for column in indexed]
    return sa.Table(hx, main.metadata, *columns, *indexes)


_MAIN_TABLES = {
    cls.__table__.name: cls.__table__ for cls in (Network, Station, History, Variable, Obs)
}
hx_tables: dict[str, sa.Table] = {
    name: make_hx_table(_MAIN_TABLES[name]) for name in HISTORY_TRACKED
}

assert set(hx_tables.values()) <= set(metadata.tables.values())
