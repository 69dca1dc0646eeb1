"""Which tables are history-tracked, and how their history tables are named.

Pure data shared by the ORM (which derives the ``_hx`` tables) and the replaceable objects
(whose triggers fill them), so the two can never disagree.
"""

from __future__ import annotations

# Tracked table -> its foreign keys to other tracked tables, as (table, column) pairs, in
# the order of the ``<table>_hx_id`` columns of its history table.
HX_FOREIGN_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "meta_network": (),
    "meta_station": (("meta_network", "network_id"),),
    "meta_history": (("meta_station", "station_id"),),
    "meta_vars": (("meta_network", "network_id"),),
    "obs_raw": (("meta_history", "history_id"), ("meta_vars", "vars_id")),
}
HISTORY_TRACKED: tuple[str, ...] = tuple(HX_FOREIGN_KEYS)


def hx_table_name(table: str) -> str:
    return f"{table}_hx"


def hx_id_name(table: str) -> str:
    return f"{table}_hx_id"


def hx_companions(table: str) -> tuple[str]:
    """Tables that mirror ``table``'s columns: its history table.

    For the rename rewriter (``companions=``): a column or table rename of a tracked table is
    applied to its history table too, so that name-based history copying keeps every column.
    """
    return (hx_table_name(table),)
