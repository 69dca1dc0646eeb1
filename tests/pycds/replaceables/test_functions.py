"""One function of each language, plus effective_day, behaving as intended."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from .seed import observe, seed

EFFECTIVE_DAY_CASES = [
    # obs_time, extremum, freq (None: use the default), expected day
    ("2020-01-01 13:00", "max", "12-hourly", "2020-01-02"),
    ("2020-01-01 12:00", "max", "12-hourly", "2020-01-02"),
    ("2020-01-01 11:59", "max", "12-hourly", "2020-01-01"),
    ("2020-12-31 18:00", "max", "12-hourly", "2021-01-01"),
    ("2020-01-01 13:00", "min", "12-hourly", "2020-01-01"),
    ("2020-01-01 13:00", "max", "daily", "2020-01-01"),
    ("2020-01-01 23:00", "max", "1-hourly", "2020-01-01"),
    ("2020-01-01 13:00", "max", None, "2020-01-01"),
]


@pytest.mark.parametrize(("obs_time", "extremum", "freq", "expected"), EFFECTIVE_DAY_CASES)
def test_effective_day(
    conn: sa.Connection, schema: str, obs_time: str, extremum: str, freq: str | None, expected: str
) -> None:
    if freq is None:
        sql = f"SELECT {schema}.effective_day(CAST(:t AS timestamp), :e)"
    else:
        sql = f"SELECT {schema}.effective_day(CAST(:t AS timestamp), :e, :f)"
    day = conn.execute(sa.text(sql), {"t": obs_time, "e": extremum, "f": freq}).scalar_one()
    assert day == dt.datetime.fromisoformat(expected)


def test_effective_day_is_immutable_and_parallel_safe(conn: sa.Connection, schema: str) -> None:
    row = conn.execute(
        sa.text(
            "SELECT provolatile, proparallel FROM pg_proc"
            " WHERE proname = 'effective_day' AND pronamespace = CAST(:s AS regnamespace)"
        ),
        {"s": schema},
    ).one()
    assert tuple(row) == ("i", "s")


def test_sql_functions_dates(conn: sa.Connection, schema: str) -> None:
    s = schema
    row = conn.execute(
        sa.text(
            f"SELECT {s}.daysinmonth(timestamp '2024-02-10') AS feb_leap,"
            f" {s}.lastdateofmonth(date '2023-02-10') AS last_feb,"
            f" {s}.season(timestamp '2023-12-05') AS december,"
            f" {s}.season(timestamp '2023-05-31') AS may"
        )
    ).one()
    assert row.feb_leap == 29
    assert row.last_feb == dt.date(2023, 2, 28)
    # December maps to January of the same year (kept from upstream on purpose).
    assert row.december == dt.date(2023, 1, 15)
    assert row.may == dt.date(2023, 4, 15)


def test_variable_tags_takes_a_whole_row(conn: sa.Connection, schema: str) -> None:
    data = seed(conn, schema)
    tags = dict(
        conn.execute(
            sa.text(f"SELECT v.vars_id, {schema}.variable_tags(v) FROM {schema}.meta_vars v")
        ).all()
    )
    assert tags == {
        data.tmax_id: ["observation"],
        data.pcpn_id: ["observation"],
        data.climo_id: ["climatology"],
    }


def test_plpgsql_closest_stations_and_time_series(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    closest = conn.execute(
        sa.text(f"SELECT * FROM {s}.closest_stns_within_threshold(-123.1, 49.2, 1000)")
    ).all()
    # Only the daily history is at that point; the hourly one is ~7 km west.
    assert [r.history_id for r in closest] == [data.daily_history_id]
    assert closest[0].dist == pytest.approx(0, abs=1e-6)

    for hour in range(12):
        observe(conn, s, data.hourly_history_id, data.tmax_id, f"2020-01-01 {hour:02}:00", hour)
    observe(conn, s, data.hourly_history_id, data.tmax_id, "2020-01-02 00:00", 100)
    rows = conn.execute(
        sa.text(f"SELECT * FROM {s}.daily_ts(:st, :v, 40)"),
        {"st": data.station_id, "v": data.tmax_id},
    ).all()
    # Day 1 has 12 of 24 hourly values (50 %); day 2 only one (~4 %), below 40 %.
    assert [(r.daily_time, r.daily_mean, r.daily_count) for r in rows] == [
        (dt.datetime(2020, 1, 1), 5.5, 12)
    ]
    assert rows[0].percent_obs_available == pytest.approx(50)

    (month,) = conn.execute(
        sa.text(f"SELECT * FROM {s}.monthly_ts(:st, :v, 1)"),
        {"st": data.station_id, "v": data.tmax_id},
    ).all()
    assert (month.monthly_time, month.monthly_count) == (dt.datetime(2020, 1, 1), 13)
    assert month.monthly_mean == pytest.approx((sum(range(12)) + 100) / 13, rel=1e-6)
    assert month.percent_obs_available == pytest.approx(13 * 100 / (24 * 31), rel=1e-6)


def test_updatesdateedate_sets_station_span(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    observe(conn, s, data.daily_history_id, data.tmax_id, "2020-01-03", 1)
    observe(conn, s, data.hourly_history_id, data.pcpn_id, "2019-06-01 05:00", 1)
    conn.execute(sa.text(f"SELECT {s}.updatesdateedate()"))
    span = conn.execute(
        sa.text(f"SELECT min_obs_time, max_obs_time FROM {s}.meta_station WHERE station_id = :id"),
        {"id": data.station_id},
    ).one()
    assert tuple(span) == (dt.datetime(2019, 6, 1, 5), dt.datetime(2020, 1, 3))


def test_plpython_pivot_query_runs(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    observe(conn, s, data.daily_history_id, data.tmax_id, "2020-01-01", 3.5)
    observe(conn, s, data.daily_history_id, data.pcpn_id, "2020-01-01", 7.0)
    observe(conn, s, data.daily_history_id, data.climo_id, "2020-01-01", 9.0)

    query = conn.execute(sa.text(f"SELECT {s}.query_one_station(:id)"), {"id": data.station_id})
    query = query.scalar_one()
    assert f"{s}.obs_raw" in query  # schema-qualified: runs without search_path
    result = conn.execute(sa.text(query))
    assert list(result.keys()) == ["obs_time", "MAX_TEMP", "ONE_DAY_PRECIPITATION"]
    assert result.all() == [(dt.datetime(2020, 1, 1), 3.5, 7.0)]

    climo = conn.execute(
        sa.text(f"SELECT {s}.query_one_station_climo(:id)"), {"id": data.station_id}
    )
    result = conn.execute(sa.text(climo.scalar_one()))
    assert list(result.keys()) == ["obs_time", "Tx_Climatology"]
    assert result.all() == [(dt.datetime(2020, 1, 1), 9.0)]

    # The plpgsql wrapper opens a cursor named "result" over the same query.
    conn.execute(sa.text(f"SELECT {s}.do_query_one_station(:id)"), {"id": data.station_id})
    assert conn.exec_driver_sql('FETCH ALL FROM "result"').all() == [
        (dt.datetime(2020, 1, 1), 3.5, 7.0)
    ]


def test_plpython_pivot_query_for_a_station_without_variables(
    conn: sa.Connection, schema: str
) -> None:
    query = conn.execute(sa.text(f"SELECT {schema}.getstationvariabletable(-1, false)"))
    result = conn.execute(sa.text(query.scalar_one()))
    assert list(result.keys()) == ["obs_time"]
    assert result.all() == []
