"""ORM classes for the five history (``_hx``) tables, under upstream's names.

Each class maps the history table derived in :mod:`pycds.orm.history`. A column copied from
the tracked table keeps that table's attribute name (``NetworkHistory.name`` is column
``network_name``, as ``Network.name`` is), except the copied primary key, which is an
ordinary column here and keeps its column name (``NetworkHistory.network_id``). The history
id and ``deleted`` are mapped under their column names.
"""

from __future__ import annotations

import sqlalchemy as sa

from pycds.orm.base import Base
from pycds.orm.history import hx_tables
from pycds.orm.tables import History, Network, Obs, Station, Variable


def _renamed_properties(main: type[Base], hx: sa.Table) -> dict[str, sa.Column]:
    """``{attribute: hx column}`` for the main class's renamed, non-key columns."""
    renamed = {}
    for attribute in main.__mapper__.column_attrs:
        (column,) = attribute.columns
        if attribute.key != column.name and not column.primary_key:
            renamed[attribute.key] = hx.c[column.name]
    return renamed


class HistoryClass(Base):
    """Base of the history classes: ``class X(HistoryClass, tracks=Main)`` maps ``Main``'s hx
    table."""

    __abstract__ = True

    def __init_subclass__(cls, tracks: type[Base] | None = None, **kwargs) -> None:
        if tracks is not None:
            cls.__table__ = hx_tables[tracks.__tablename__]
            cls.__mapper_args__ = {"properties": _renamed_properties(tracks, cls.__table__)}
        super().__init_subclass__(**kwargs)


class NetworkHistory(HistoryClass, tracks=Network):
    """History of ``meta_network`` rows."""


class StationHistory(HistoryClass, tracks=Station):
    """History of ``meta_station`` rows."""


class HistoryHistory(HistoryClass, tracks=History):
    """History of ``meta_history`` rows."""


class VariableHistory(HistoryClass, tracks=Variable):
    """History of ``meta_vars`` rows."""


class ObsHistory(HistoryClass, tracks=Obs):
    """History of ``obs_raw`` rows."""


__all__ = ["HistoryHistory", "NetworkHistory", "ObsHistory", "StationHistory", "VariableHistory"]
