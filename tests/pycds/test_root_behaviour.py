"""The root revision's functions and views behave as upstream's (crmp-facts sections 3.2, 4
and 6), flaws included; the revisions after it fix the flaws.

Upstream's functions name their tables without the schema, so every connection here puts
the schema on its ``search_path``, as upstream's clients do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from pycds import get_schema_name
from pycds.alembic_config import make_config
from tests.helpers import crmp_rows

pytestmark = pytest.mark.db

ROOT_REVISION = "f6d5a4c2e901"


@pytest.fixture(scope="module")
def root_url(pg_server_url: str) -> Iterator[str]:
    schema = get_schema_name()
    with crmp_rows.populated_database(
        pg_server_url, "test_root_behaviour", ROOT_REVISION, schema
    ) as url:
        yield url


@pytest.fixture
def conn(root_url: str) -> Iterator[sa.Connection]:
    """A connection at the root revision, in a transaction rolled back afterwards."""
    engine = sa.create_engine(root_url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SET search_path TO {get_schema_name()}, public")
        yield connection
        connection.rollback()
    engine.dispose()


def _tags(conn: sa.Connection, name: str) -> list[str]:
    s = get_schema_name()
    conn.execute(
        sa.text(
            f"INSERT INTO {s}.meta_vars (net_var_name, standard_name, cell_method, display_name) "
            "VALUES (:n, 'air_temperature', 'time: mean', 'x')"
        ),
        {"n": name},
    )
    return conn.scalar(
        sa.text(f"SELECT {s}.variable_tags(v) FROM {s}.meta_vars AS v WHERE net_var_name = :n"),
        {"n": name},
    )


def test_variable_tags_matches_climatology_in_any_case(conn):
    assert _tags(conn, "Tmax_Climatology") == ["climatology"]
    assert _tags(conn, "tmax_climatology") == ["climatology"]
    assert _tags(conn, "tmax") == ["observation"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("daysinmonth('2020-02-10')", 29.0),
        ("lastdateofmonth('2021-02-10')", datetime.date(2021, 2, 28)),
        ("season('2020-12-05')", datetime.date(2020, 1, 15)),
        ("season('2020-05-31')", datetime.date(2020, 4, 15)),
        ("effective_day('2020-01-01 13:00', 'max', '12-hourly')", datetime.datetime(2020, 1, 2)),
        ("effective_day('2020-01-01 13:00', 'min', '12-hourly')", datetime.datetime(2020, 1, 1)),
        ("effective_day('2020-01-01 13:00', 'max')", datetime.datetime(2020, 1, 1)),
    ],
)
def test_date_helpers(conn, expression, expected):
    assert conn.scalar(sa.text(f"SELECT {get_schema_name()}.{expression}")) == expected


def test_closest_stations_nearest_first(conn):
    rows = conn.execute(
        sa.text(f"SELECT * FROM {get_schema_name()}.closest_stns_within_threshold(-130, 48, 50000)")
    ).all()
    assert rows and rows[0].dist == 0
    assert [r.dist for r in rows] == sorted(r.dist for r in rows)


def test_daily_and_monthly_ts_fail_as_upstream(conn):
    for function in ("daily_ts", "monthly_ts"):
        with pytest.raises(sa.exc.ProgrammingError, match="station_id"), conn.begin_nested():
            conn.execute(sa.text(f"SELECT * FROM {get_schema_name()}.{function}(1, 1, 0)"))


def test_updatesdateedate_writes_null_as_upstream(conn):
    """Once histories and observations were last modified at different times (as always in
    use), the NATURAL JOIN on mod_time finds no observation: every date becomes NULL."""
    s = get_schema_name()
    conn.execute(sa.text(f"UPDATE {s}.meta_history SET comments = 'touched'"))
    conn.execute(sa.text(f"SELECT {s}.updatesdateedate()"))
    assert conn.scalar(sa.text(f"SELECT count(min_obs_time) FROM {s}.meta_station")) == 0


def test_pivot_query_of_a_station(conn):
    s = get_schema_name()
    station, wanted = conn.execute(
        sa.text(
            f"SELECT h.station_id, count(DISTINCT o.vars_id) FROM {s}.obs_raw o "
            f"JOIN {s}.meta_history h USING (history_id) JOIN {s}.meta_vars v USING (vars_id) "
            "WHERE v.net_var_name::text NOT LIKE '%Climatology%' "
            "GROUP BY h.station_id ORDER BY 1 LIMIT 1"
        )
    ).one()
    query = conn.scalar(sa.text(f"SELECT {s}.query_one_station(:st)"), {"st": station})
    result = conn.execute(sa.text(query.replace("%", "%%")))
    assert len(result.keys()) >= 1 + wanted
    assert result.all()


def test_network_display_name_rules(conn):
    s = get_schema_name()
    assert (
        conn.scalar(
            sa.text(
                f"SELECT network_display_name FROM {s}.meta_network WHERE network_name = 'NET0'"
            )
        )
        == "NET0"
    )
    with pytest.raises(sa.exc.DBAPIError, match="network_name"), conn.begin_nested():
        conn.execute(sa.text(f"UPDATE {s}.meta_network SET network_name = 'other'"))


def test_station_views_expose_bytea_geometry(conn):
    s = get_schema_name()
    geometry = conn.scalar(
        sa.text(
            f"SELECT the_geom FROM {s}.crmp_network_geoserver WHERE the_geom IS NOT NULL LIMIT 1"
        )
    )
    assert isinstance(geometry, bytes | memoryview)


def test_fixed_by_the_revisions_after_the_root(root_url: str):
    """At head: variable_tags still ignores case (whatever the search_path), daily_ts and
    updatesdateedate work."""
    s = get_schema_name()
    config = make_config(root_url)
    command.upgrade(config, "head")
    engine = sa.create_engine(root_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:  # default search_path
            assert _tags(conn, "tmax_climatology") == ["climatology"]
            station, vars_id = conn.execute(
                sa.text(
                    f"SELECT h.station_id, o.vars_id FROM {s}.obs_raw o "
                    f"JOIN {s}.meta_history h USING (history_id) LIMIT 1"
                )
            ).one()
            days = conn.execute(
                sa.text(f"SELECT * FROM {s}.daily_ts(:st, :v, 0)"), {"st": station, "v": vars_id}
            ).all()
            assert days
            conn.execute(sa.text(f"UPDATE {s}.meta_history SET comments = 'touched'"))
            conn.execute(sa.text(f"SELECT {s}.updatesdateedate()"))
            assert conn.scalar(sa.text(f"SELECT count(min_obs_time) FROM {s}.meta_station")) > 0
            conn.rollback()
    finally:
        engine.dispose()
        command.downgrade(config, ROOT_REVISION)
