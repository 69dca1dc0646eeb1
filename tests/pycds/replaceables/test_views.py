"""Views and materialized views compute what crmp-facts section 5 describes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pycds.replaceables import matviews

from .seed import insert, observe, seed


def refresh_all(conn: sa.Connection, s: str) -> None:
    # matviews() is in dependency order, which is also the refresh order.
    for matview in matviews(s):
        conn.exec_driver_sql(f"REFRESH MATERIALIZED VIEW {s}.{matview.signature}")


def test_history_join_station_network_exposes_geometry(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    row = conn.execute(
        sa.text(
            f"SELECT native_id, network_name, pg_typeof(the_geom)::text AS geom_type,"
            f" public.ST_AsText(the_geom) AS wkt, pg_typeof(native_id)::text AS id_type"
            f" FROM {s}.history_join_station_network WHERE history_id = :id"
        ),
        {"id": data.daily_history_id},
    ).one()
    assert (row.native_id, row.network_name) == ("1100031", "EC")
    assert (row.geom_type, row.id_type) == ("geometry", "character varying")
    assert row.wkt == "POINT(-123.1 49.2)"


def test_weather_anomaly_matviews_skip_discarded_observations(
    conn: sa.Connection, schema: str
) -> None:
    s = schema
    data = seed(conn, s)
    h, tmax = data.daily_history_id, data.tmax_id
    observe(conn, s, h, tmax, "2020-01-01", 10.0)
    observe(conn, s, h, tmax, "2020-01-02", 20.0)
    flagged = observe(conn, s, h, tmax, "2020-01-03", 99.0)
    flag_id = insert(conn, s, "meta_native_flag", "native_flag_id", flag_name="bad", discard=True)
    conn.execute(
        sa.text(f"INSERT INTO {s}.obs_raw_native_flags VALUES (:o, :f)"),
        {"o": flagged, "f": flag_id},
    )
    observe(conn, s, h, data.pcpn_id, "2020-02-01", 2.0)
    observe(conn, s, h, data.pcpn_id, "2020-02-02", 3.0)
    refresh_all(conn, s)

    assert conn.execute(sa.text(f"SELECT obs_raw_id FROM {s}.discarded_obs_raw_mv")).all() == [
        (flagged,)
    ]
    daily = conn.execute(
        sa.text(
            f"SELECT obs_day, statistic, data_coverage FROM {s}.daily_max_temperature_mv"
            " ORDER BY obs_day"
        )
    ).all()
    assert daily == [
        (dt.datetime(2020, 1, 1), 10.0, Decimal(1)),
        (dt.datetime(2020, 1, 2), 20.0, Decimal(1)),
    ]
    monthly = conn.execute(
        sa.text(
            f"SELECT obs_month, statistic, data_coverage"
            f" FROM {s}.monthly_average_of_daily_max_temperature_mv"
        )
    ).one()
    assert monthly.obs_month == dt.datetime(2020, 1, 1)
    assert monthly.statistic == 15.0
    assert monthly.data_coverage == pytest.approx(Decimal(2) / Decimal(31))

    precipitation = conn.execute(
        sa.text(f"SELECT statistic, data_coverage FROM {s}.monthly_total_precipitation_mv")
    ).one()
    assert precipitation.statistic == 5.0
    assert precipitation.data_coverage == pytest.approx(Decimal(2) / Decimal(29))


def test_station_layer_after_refresh(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    h = data.daily_history_id
    observe(conn, s, h, data.tmax_id, "2020-01-01", 1.0)
    observe(conn, s, h, data.climo_id, "2020-01-02", 1.0)
    refresh_all(conn, s)
    row = conn.execute(
        sa.text(
            f"SELECT min_obs_time, max_obs_time, vars_ids, unique_variable_tags, display_names,"
            f" vars, pg_typeof(the_geom)::text AS geom_type"
            f" FROM {s}.crmp_network_geoserver WHERE history_id = :h"
        ),
        {"h": h},
    ).one()
    assert (row.min_obs_time, row.max_obs_time) == (
        dt.datetime(2020, 1, 1),
        dt.datetime(2020, 1, 2),
    )
    assert row.vars_ids == [data.tmax_id, data.climo_id]
    assert row.unique_variable_tags == ["climatology", "observation"]
    assert row.display_names == "Temperature (Max.)|Temperature Climatology (Max.)"
    assert row.vars.startswith("air_temperature_maximum, air_temperature")
    assert row.geom_type == "geometry"
    # A history without observations is still listed, without statistics.
    empty = conn.execute(
        sa.text(
            f"SELECT vars_ids, min_obs_time FROM {s}.crmp_network_geoserver WHERE history_id = :h"
        ),
        {"h": data.hourly_history_id},
    ).one()
    assert tuple(empty) == (None, None)
    climo_count = conn.execute(
        sa.text(f"SELECT count FROM {s}.climo_obs_count_mv WHERE history_id = :h"), {"h": h}
    ).scalar_one()
    assert climo_count == 1
