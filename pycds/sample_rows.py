"""A few sample rows per CRMP table: pycds's seeding hook for ``-x verify=true``.

:func:`seed` inserts rows into the base tables in dependency order (the history tables fill
themselves through their triggers). It names only the columns that exist in the database at
that moment, so it works before a draft's upgrade, after it (a column added with a default,
a column dropped) and on CRMP-like databases. Values that must be unique get a fresh suffix
on every call, so the verifier may call it again after the upgrade to test inserts.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

__all__ = ["SEEDED_TABLES", "seed"]


def _rows(s: str, tag: str, minute: int) -> dict[str, dict[str, str]]:
    """``table -> {column: SQL expression}`` for one row of each table."""

    def newest(table: str, column: str) -> str:
        return f"(SELECT max({column}) FROM {s}.{table})"

    when = f"(timestamp '2000-01-01' + interval '{minute} minutes')"
    return {
        "meta_contact": {
            "name": "'Sample Contact'",
            "title": "'Dr'",
            "organization": "'PCIC'",
            "email": f"'contact_{tag}@example.org'",
            "phone": "'250-555-0100'",
        },
        "meta_network": {
            "network_name": f"'NET_{tag}'",
            "description": "'Sample network'",
            "virtual": "'no'",
            "publish": "true",
            "col_hex": "'#336699'",
            "contact_id": newest("meta_contact", "contact_id"),
        },
        "meta_station": {
            "native_id": f"'ST_{tag}'",
            "network_id": newest("meta_network", "network_id"),
            "min_obs_time": "timestamp '2000-01-01'",
            "max_obs_time": "timestamp '2001-01-01'",
        },
        "meta_sensor": {"name": f"'sensor {tag}'"},
        "meta_history": {
            "station_id": newest("meta_station", "station_id"),
            "station_name": f"'Station {tag}'",
            "lon": "-123.37",
            "lat": "48.42",
            "elev": "10.5",
            "sdate": "date '2000-01-01'",
            "freq": "'daily'",
            "province": "'BC'",
            "country": "'CA'",
            "sensor_id": newest("meta_sensor", "sensor_id"),
        },
        "meta_vars": {
            "net_var_name": f"'var_{tag}'",
            "unit": "'celsius'",
            "standard_name": "'air_temperature'",
            "cell_method": "'time: point'",
            "precision": "0.1",
            "long_description": "'Sample variable'",
            "display_name": "'Temperature'",
            "short_name": "'tas'",
            "network_id": newest("meta_network", "network_id"),
        },
        "meta_native_flag": {
            "flag_name": f"'flag {tag}'",
            "description": "'Sample flag'",
            "network_id": newest("meta_network", "network_id"),
            "value": f"'{tag}'",
            "discard": "false",
        },
        "meta_pcic_flag": {
            "flag_name": f"'pcic flag {tag}'",
            "description": "'Sample QC flag'",
            "discard": "false",
        },
        "obs_raw": {
            "obs_time": when,
            "mod_time": "now()",
            "datum": "1.5",
            "vars_id": newest("meta_vars", "vars_id"),
            "history_id": newest("meta_history", "history_id"),
        },
        "obs_raw_native_flags": {
            "obs_raw_id": newest("obs_raw", "obs_raw_id"),
            "native_flag_id": newest("meta_native_flag", "native_flag_id"),
        },
        "obs_raw_pcic_flags": {
            "obs_raw_id": newest("obs_raw", "obs_raw_id"),
            "pcic_flag_id": newest("meta_pcic_flag", "pcic_flag_id"),
        },
        "time_bounds": {
            "obs_raw_id": newest("obs_raw", "obs_raw_id"),
            "start": when,
            "end": f"({when} + interval '1 hour')",
        },
        "obs_derived_values": {
            "value_time": when,
            "mod_time": "now()",
            "datum": "2.5",
            "vars_id": newest("meta_vars", "vars_id"),
            "history_id": newest("meta_history", "history_id"),
        },
    }


#: Tables :func:`seed` writes to, in dependency order.
SEEDED_TABLES = tuple(_rows("s", "t", 0))

_COLUMNS = sa.text(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = :schema"
)


def seed(connection: sa.Connection, schema: str, tables: set[str] | None = None) -> None:
    """Insert sample rows: two per table when ``tables`` is None, else one in each of
    ``tables`` (those this module knows; others are left alone)."""
    existing: dict[str, set[str]] = {}
    for table, column in connection.execute(_COLUMNS, {"schema": schema}):
        existing.setdefault(table, set()).add(column)
    rounds = 2 if tables is None else 1
    for _ in range(rounds):
        tag = uuid.uuid4().hex[:8]
        rows = _rows(f'"{schema}"', tag, int(tag, 16) % 5_000_000)
        for table, values in rows.items():
            if (tables is not None and table not in tables) or table not in existing:
                continue
            columns = [c for c in values if c in existing[table]]
            if not columns:
                continue
            names = ", ".join(f'"{c}"' for c in columns)
            exprs = ", ".join(values[c] for c in columns)
            connection.exec_driver_sql(
                f'INSERT INTO "{schema}"."{table}" ({names}) SELECT {exprs} ON CONFLICT DO NOTHING'
            )
