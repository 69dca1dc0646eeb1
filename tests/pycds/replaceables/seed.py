"""Small synthetic CRMP data for behavioural tests (no production data)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


def insert(conn: sa.Connection, schema: str, table: str, returning: str, **values) -> int:
    """INSERT one row into ``schema.table`` and return the column ``returning``."""
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    sql = f"INSERT INTO {schema}.{table} ({columns}) VALUES ({params}) RETURNING {returning}"
    return conn.execute(sa.text(sql), values).scalar_one()


@dataclass
class Seeded:
    network_id: int
    station_id: int
    daily_history_id: int
    hourly_history_id: int
    tmax_id: int
    pcpn_id: int
    climo_id: int


def seed(conn: sa.Connection, s: str) -> Seeded:
    """One network, one station with a daily and a 1-hourly history, three variables."""
    network_id = insert(conn, s, "meta_network", "network_id", network_name="EC")
    station_id = insert(
        conn, s, "meta_station", "station_id", native_id="1100031", network_id=network_id
    )
    histories = {}
    for freq, lon in (("daily", -123.10), ("1-hourly", -123.20)):
        histories[freq] = conn.execute(
            sa.text(
                f"INSERT INTO {s}.meta_history (station_id, station_name, lon, lat, freq, the_geom)"
                " VALUES (:station_id, 'Victoria', :lon, 49.2, :freq,"
                " public.ST_SetSRID(public.ST_MakePoint(:lon, 49.2), 4326))"
                " RETURNING history_id"
            ),
            {"station_id": station_id, "lon": lon, "freq": freq},
        ).scalar_one()

    def variable(name: str, standard_name: str, cell_method: str, display: str) -> int:
        return insert(
            conn,
            s,
            "meta_vars",
            "vars_id",
            net_var_name=name,
            standard_name=standard_name,
            cell_method=cell_method,
            display_name=display,
            network_id=network_id,
        )

    return Seeded(
        network_id=network_id,
        station_id=station_id,
        daily_history_id=histories["daily"],
        hourly_history_id=histories["1-hourly"],
        tmax_id=variable("MAX_TEMP", "air_temperature", "time: maximum", "Temperature (Max.)"),
        pcpn_id=variable(
            "ONE_DAY_PRECIPITATION",
            "lwe_thickness_of_precipitation_amount",
            "time: sum",
            "Precipitation",
        ),
        climo_id=variable(
            "Tx_Climatology",
            "air_temperature",
            "t: maximum within days t: mean over days t: mean over years",
            "Temperature Climatology (Max.)",
        ),
    )


def observe(conn: sa.Connection, s: str, history_id: int, vars_id: int, time: str, datum: float):
    """Insert one observation; returns its obs_raw_id."""
    return insert(
        conn,
        s,
        "obs_raw",
        "obs_raw_id",
        history_id=history_id,
        vars_id=vars_id,
        obs_time=time,
        datum=datum,
        mod_time="2000-01-01",
    )
