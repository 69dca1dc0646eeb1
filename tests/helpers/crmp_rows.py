"""Synthetic CRMP rows shaped like upstream's production subset (crmp-facts section 10).

8 networks, 50 stations with one history each (daily, irregular, 1-hourly, 12-hourly and
NULL frequencies), 103 variables of which 32 are climatologies, 1,969 observations, 455
native-flag links and some PCIC-flag links (flags with ``discard = true`` included), a few
time bounds and derived values. No production data: every value is generated here.

Inserted through the tables' triggers, so the history tables fill as they would in use.
The connection's ``search_path`` must let the history triggers find their tables (at
upstream's head they name them without the schema).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

NETWORKS = 8
STATIONS = 50
VARIABLES = 103
CLIMATOLOGIES = 32
OBSERVATIONS = 1969
NATIVE_FLAG_LINKS = 455
PCIC_FLAG_LINKS = 60
FREQUENCIES = ("daily", "irregular", "1-hourly", None, "12-hourly")
# (standard_name, cell_method) of the observation variables, in turn.
KINDS = (
    ("air_temperature", "time: maximum"),
    ("air_temperature", "time: minimum"),
    ("air_temperature", "time: point"),
    ("lwe_thickness_of_precipitation_amount", "time: sum"),
    ("wind_speed", "time: mean"),
)


def _insert(conn: sa.Connection, s: str, table: str, rows: list[dict], key: str) -> list[int]:
    columns = list(rows[0])
    sql = sa.text(
        f"INSERT INTO {s}.{table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}) RETURNING {key}"
    )
    return [conn.execute(sql, row).scalar_one() for row in rows]


def load(conn: sa.Connection, s: str) -> None:
    """Insert the rows into schema ``s`` (in the caller's transaction)."""
    (contact,) = _insert(
        conn, s, "meta_contact", [{"name": "Data desk", "email": "d@x"}], "contact_id"
    )
    (sensor,) = _insert(conn, s, "meta_sensor", [{"name": "thermometer"}], "sensor_id")
    networks = _insert(
        conn,
        s,
        "meta_network",
        [
            {
                "network_name": f"NET{n}",
                "description": f"Network {n}",
                "publish": n % 2 == 0,
                "col_hex": f"#00{n:02d}ff",
                "contact_id": contact,
                # One network leaves its display name to the trigger's default.
                "network_display_name": None if n == 0 else f"Network number {n}",
            }
            for n in range(NETWORKS)
        ],
        "network_id",
    )
    stations = _insert(
        conn,
        s,
        "meta_station",
        [
            {"native_id": f"ST{i:04d}", "network_id": networks[i % NETWORKS], "publish": i % 7 != 0}
            for i in range(STATIONS)
        ],
        "station_id",
    )
    histories = []
    for i, station in enumerate(stations):
        lon, lat = -130 + i * 0.2, 48 + i * 0.1
        histories.append(
            conn.execute(
                sa.text(
                    f"INSERT INTO {s}.meta_history (station_id, station_name, lon, lat, elev, "
                    "sdate, province, country, freq, sensor_id, the_geom) VALUES (:st, :name, "
                    ":lon, :lat, :elev, '2000-01-01', 'BC', 'CA', :freq, :sensor, "
                    "public.ST_SetSRID(public.ST_MakePoint(:lon, :lat), 4326)) "
                    "RETURNING history_id"
                ),
                {
                    "st": station,
                    "name": f"Station {i}",
                    "lon": lon,
                    "lat": lat,
                    "elev": 10.0 * i,
                    "freq": FREQUENCIES[i % len(FREQUENCIES)],
                    "sensor": sensor if i % 3 == 0 else None,
                },
            ).scalar_one()
        )
    variable_rows = []
    for v in range(VARIABLES):
        climatology = v < CLIMATOLOGIES
        standard_name, cell_method = KINDS[v % len(KINDS)]
        variable_rows.append(
            {
                "net_var_name": f"Tx_Climatology_{v}" if climatology else f"var_{v}",
                "unit": "celsius",
                "standard_name": standard_name,
                "cell_method": "t: mean within years" if climatology else cell_method,
                "display_name": f"Variable {v}",
                "network_id": networks[v % NETWORKS],
            }
        )
    variables = _insert(conn, s, "meta_vars", variable_rows, "vars_id")
    by_network = {
        n: [v for i, v in enumerate(variables) if i % NETWORKS == k] for k, n in enumerate(networks)
    }
    station_network = {h: networks[i % NETWORKS] for i, h in enumerate(histories)}
    observation_rows = []
    for o in range(OBSERVATIONS):
        history, k = histories[o % STATIONS], o // STATIONS  # k: unique per history
        candidates = by_network[station_network[history]]
        observation_rows.append(
            {
                "obs_time": f"2020-01-{1 + k % 28:02d} {(k // 28) * 6:02d}:00",
                "datum": (o % 41) - 12.5,
                "vars_id": candidates[k % len(candidates)],
                "history_id": history,
                "mod_time": "2020-02-01",
            }
        )
    observations = _insert(conn, s, "obs_raw", observation_rows, "obs_raw_id")
    native_flags = _insert(
        conn,
        s,
        "meta_native_flag",
        [
            {
                "flag_name": f"flag{k}",
                "network_id": networks[k % NETWORKS],
                "value": f"V{k}",
                "discard": k % 2 == 0,
            }
            for k in range(2 * NETWORKS)
        ],
        "native_flag_id",
    )
    pcic_flags = _insert(
        conn,
        s,
        "meta_pcic_flag",
        [{"flag_name": "range", "discard": True}, {"flag_name": "suspect", "discard": False}],
        "pcic_flag_id",
    )
    links = sa.text(f"INSERT INTO {s}.obs_raw_native_flags VALUES (:o, :f)")
    for k in range(NATIVE_FLAG_LINKS):
        conn.execute(links, {"o": observations[k], "f": native_flags[k % len(native_flags)]})
    links = sa.text(f"INSERT INTO {s}.obs_raw_pcic_flags VALUES (:o, :f)")
    for k in range(PCIC_FLAG_LINKS):
        conn.execute(links, {"o": observations[-1 - k], "f": pcic_flags[k % 2]})
    bounds = sa.text(f'INSERT INTO {s}.time_bounds (obs_raw_id, start, "end") VALUES (:o, :a, :b)')
    for k in range(10):
        conn.execute(bounds, {"o": observations[k], "a": "2020-01-01", "b": "2020-01-02"})
    derived = sa.text(
        f"INSERT INTO {s}.obs_derived_values (value_time, mod_time, datum, vars_id, history_id) "
        "VALUES (:t, now(), :d, :v, :h)"
    )
    for k in range(12):
        conn.execute(
            derived, {"t": f"2020-{k + 1:02d}-15", "d": k / 3, "v": variables[0], "h": histories[0]}
        )


@contextmanager
def populated_database(server_url: str, name: str, revision: str, schema: str) -> Iterator[str]:
    """A fresh database at ``revision`` holding these rows (loaded with the schema on the
    ``search_path``, as upstream's triggers need); dropped afterwards."""
    from tests.helpers.schema_facts import database_at

    with database_at(server_url, name, revision, schema) as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SET search_path TO {schema}, public")
            load(conn, schema)
        engine.dispose()
        yield url
