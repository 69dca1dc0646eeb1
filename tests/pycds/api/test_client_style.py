"""pycds used as crmprtd uses upstream PyCDS: upstream's names, ``create_all`` in a fresh
schema of a fresh database (postgis and citext only), writes through the ORM; then every
view and matview class read on a database migrated to head, where those objects exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pycds import (
    Base,
    ClimoObsCount,
    CollapsedVariables,
    CrmpNetworkGeoserver,
    DailyMaxTemperature,
    DailyMinTemperature,
    History,
    HistoryStationNetwork,
    MonthlyAverageOfDailyMaxTemperature,
    MonthlyAverageOfDailyMinTemperature,
    MonthlyTotalPrecipitation,
    NativeFlag,
    Network,
    Obs,
    ObsCountPerDayHistory,
    ObsCountPerMonthHistory,
    ObsHistory,
    ObsWithFlags,
    PCICFlag,
    Station,
    StationObservationStats,
    Variable,
    VarsPerHistory,
    get_schema_name,
    variable_tags,
)
from pycds.localdb import provision
from pycds.orm.native_matviews import (
    DiscardedObsRaw,
    daily_temperature_extremum,
    monthly_average_of_daily_temperature_extremum_with_avg_coverage,
    monthly_total_precipitation_with_avg_coverage,
)
from pycds.orm.view_base import ReadOnlyRelationError
from tests.pycds.api.client_data import (
    ClientData,
    expected_daily,
    expected_monthly_average,
    expected_monthly_precipitation,
    insert_client_data,
    is_climatology,
)

pytestmark = pytest.mark.db

# Refresh order of crmp-facts 5.2: the discarded ids before the daily matviews, daily before
# monthly, vars_per_history_mv before collapsed_vars_mv.
REFRESH_ORDER = (
    VarsPerHistory,
    ClimoObsCount,
    StationObservationStats,
    CollapsedVariables,
    ObsCountPerMonthHistory,
    DiscardedObsRaw,
    DailyMaxTemperature,
    DailyMinTemperature,
    MonthlyAverageOfDailyMaxTemperature,
    MonthlyAverageOfDailyMinTemperature,
    MonthlyTotalPrecipitation,
)


def create_all_database(server_url: str) -> str:
    """A fresh database built as crmprtd's test suite builds one."""
    url = provision.create_database(server_url, f"test_client_{uuid.uuid4().hex[:10]}")
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION postgis")
        conn.exec_driver_sql("CREATE EXTENSION citext")
        conn.exec_driver_sql(f"CREATE SCHEMA {get_schema_name()}")
        Base.metadata.create_all(conn)
    engine.dispose()
    return url


@pytest.fixture
def client_session(pg_server_url: str) -> Iterator[Session]:
    url = create_all_database(pg_server_url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with Session(engine) as session:
        yield session
    engine.dispose()
    provision.drop_database(pg_server_url, sa.make_url(url).database)


def test_client_writes_and_reads_through_the_orm_on_a_create_all_database(client_session):
    data = insert_client_data(client_session)
    client_session.commit()
    s = client_session

    moti = s.scalars(sa.select(Network).where(Network.name == "MoTIe")).one()
    assert moti.contact.name == "Simon" and moti.meta_contact is moti.contact
    assert (
        [st.native_id for st in moti.stations]
        == ["11091"]
        == [st.native_id for st in moti.meta_station]
    )
    assert {v.name for v in moti.variables} == {"CURRENT_AIR_TEMPERATURE1"}
    assert {f.value for f in moti.native_flags} == {"S", "B"}
    # crmprtd's history lookup: History ⋈ Station ⋈ Network by native id.
    (history,) = (
        s.query(History)
        .join(Station)
        .join(Network)
        .filter(Network.name == "MoTIe", Station.native_id == "11091")
        .all()
    )
    assert history.station.network is moti and history.meta_station is history.station
    assert len(history.obs_raw) == 8 and history.observations == history.obs_raw
    bad = s.scalars(sa.select(NativeFlag).where(NativeFlag.value == "B")).one()
    assert [o.datum for o in bad.flagged_obs] == [6.0]
    noted = s.scalars(sa.select(PCICFlag).where(PCICFlag.name == "note")).one()
    assert [o.native_flags[0].name for o in noted.flagged_obs] == ["suspect"]
    temperature = s.scalars(sa.select(Variable).where(Variable.name == "current_air_temperature1"))
    assert temperature.one().network is moti  # citext: case-insensitive names

    # crmprtd's insert phase: ON CONFLICT DO NOTHING on time_place_variable_unique.
    first = data.observations[0]
    row = {"obs_time": first.time, "datum": 99.0, "vars_id": first.vars_id}
    statement = (
        insert(Obs.__table__)
        .values(**row, history_id=first.history_id, mod_time=dt.datetime(2024, 2, 1))
        .on_conflict_do_nothing(constraint="time_place_variable_unique")
    )
    assert s.execute(statement).rowcount == 0
    s.refresh(first)
    assert first.datum == 1.0


def test_view_classes_are_not_tables_of_a_create_all_database(pg_server_url):
    url = create_all_database(pg_server_url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names(schema=get_schema_name()))
    finally:
        engine.dispose()
        provision.drop_database(pg_server_url, sa.make_url(url).database)
    assert tables == {table.name for table in Base.metadata.sorted_tables}
    assert tables.isdisjoint(
        {cls.__table__.name for cls in (*REFRESH_ORDER, CrmpNetworkGeoserver, ObsWithFlags)}
    )


@pytest.fixture(scope="module")
def head_data(pg_server_url: str, head_template: str) -> Iterator[tuple[Session, ClientData]]:
    """A clone of the head template with the client data written and matviews refreshed."""
    name = f"test_client_head_{uuid.uuid4().hex[:10]}"
    url = provision.create_database(pg_server_url, name, template=head_template)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with Session(engine) as session:
        data = insert_client_data(session)
        for matview in REFRESH_ORDER:
            session.execute(matview.refresh())
        session.commit()
        yield session, data
    engine.dispose()
    provision.drop_database(pg_server_url, name)


def test_history_tracking_records_orm_writes(head_data):
    session, data = head_data
    tracked = session.scalars(sa.select(ObsHistory.obs_raw_id).order_by(ObsHistory.obs_raw_id))
    assert list(tracked) == sorted(o.id for o in data.observations)


def test_obs_with_flags(head_data):
    session, data = head_data
    rows = {r.obs_raw_id: r for r in session.scalars(sa.select(ObsWithFlags))}
    assert set(rows) == {o.id for o in data.observations}
    for obs in data.observations:
        row = rows[obs.id]
        assert (row.vars_id, row.network_id, row.station_id) == (
            obs.vars_id,
            obs.variable.network_id,
            obs.history.station_id,
        )
        assert (row.obs_time, row.datum, row.net_var_name) == (
            obs.time,
            obs.datum,
            obs.variable.name,
        )


def test_history_station_network(head_data):
    session, data = head_data
    rows = {r.history_id: r for r in session.scalars(sa.select(HistoryStationNetwork))}
    assert set(rows) == {h.id for h in data.histories}
    for h in data.histories:
        row = rows[h.id]
        assert (row.station_id, row.native_id, row.network_name) == (
            h.station_id,
            h.station.native_id,
            h.station.network.name,
        )
        assert isinstance(row.native_id, str)  # upstream's class said Integer (facts 7.9)


def _counts(data: ClientData, period: str) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for obs in data.observations:
        start = obs.time.replace(hour=0) if period == "day" else obs.time.replace(day=1, hour=0)
        counts[(start, obs.history_id)] = counts.get((start, obs.history_id), 0) + 1
    return counts


def test_observation_counts_per_day_and_month(head_data):
    session, data = head_data
    for cls, period in ((ObsCountPerDayHistory, "day"), (ObsCountPerMonthHistory, "month")):
        rows = session.scalars(sa.select(cls)).all()
        assert {(r.date_trunc, r.history_id): r.count for r in rows} == _counts(data, period)


def test_vars_per_history_and_station_stats(head_data):
    session, data = head_data
    spans: dict[tuple, list[dt.datetime]] = {}
    for obs in data.observations:
        spans.setdefault((obs.history_id, obs.vars_id), []).append(obs.time)
    rows = session.scalars(sa.select(VarsPerHistory)).all()
    assert {(r.history_id, r.vars_id): [r.start_time, r.end_time] for r in rows} == {
        key: [min(times), max(times)] for key, times in spans.items()
    }
    stats = {r.history_id: r for r in session.scalars(sa.select(StationObservationStats))}
    for h in data.histories:
        times = [o.time for o in data.observations if o.history_id == h.id]
        row = stats[h.id]
        assert (row.station_id, row.min_obs_time, row.max_obs_time, row.obs_count) == (
            h.station_id,
            min(times),
            max(times),
            len(set(times)),
        )


def test_climatology_counts_and_collapsed_variables(head_data):
    session, data = head_data
    climo = {r.history_id: r.count for r in session.scalars(sa.select(ClimoObsCount))}
    expected = {}
    for obs in data.observations:
        if is_climatology(obs.variable):
            expected[obs.history_id] = expected.get(obs.history_id, 0) + 1
    assert climo == expected

    collapsed = {r.history_id: r for r in session.scalars(sa.select(CollapsedVariables))}
    for h in data.histories:
        variables = sorted(
            {o.variable for o in data.observations if o.history is h}, key=lambda v: v.id
        )
        row = collapsed[h.id]
        assert row.vars_ids == [v.id for v in variables]
        tags = {"climatology" if is_climatology(v) else "observation" for v in variables}
        assert row.unique_variable_tags == sorted(tags)
        assert row.display_names == "|".join(v.display_name for v in variables)
        assert row.vars == ", ".join(
            v.standard_name + v.cell_method.replace("time: ", "_") for v in variables
        )
    # variable_tags passes a whole meta_vars row to the database function.
    tags = dict(session.execute(sa.select(Variable.name, variable_tags(Variable))).all())
    assert tags == {
        v.name: ["climatology" if is_climatology(v) else "observation"] for v in data.variables
    }


def test_crmp_network_geoserver(head_data):
    session, data = head_data
    rows = {r.history_id: r for r in session.scalars(sa.select(CrmpNetworkGeoserver))}
    assert set(rows) == {h.id for h in data.histories}
    for h in data.histories:
        row = rows[h.id]
        times = [o.time for o in data.observations if o.history is h]
        assert (row.network_name, row.native_id, row.station_name) == (
            h.station.network.name,
            h.station.native_id,
            h.station_name,
        )
        assert (row.min_obs_time, row.max_obs_time) == (min(times), max(times))
        assert row.vars_ids == sorted({o.vars_id for o in data.observations if o.history is h})
    # the_geom is a geometry (upstream's view exposed bytea): PostGIS functions apply to it.
    wkt = session.execute(
        sa.select(CrmpNetworkGeoserver.history_id, sa.func.ST_AsText(CrmpNetworkGeoserver.the_geom))
    ).all()
    assert dict(wkt) == {h.id: f"POINT({float(h.lon):g} {float(h.lat):g})" for h in data.histories}


def test_discarded_observations(head_data):
    session, data = head_data
    assert set(session.scalars(sa.select(DiscardedObsRaw.id))) == data.discarded


def _statistics(session: Session, cls: type, period: str) -> dict[tuple, tuple[float, float]]:
    rows = session.scalars(sa.select(cls)).all()
    return {
        (r.history_id, r.vars_id, getattr(r, period)): (r.statistic, float(r.data_coverage))
        for r in rows
    }


@pytest.mark.parametrize(
    ("cls", "period", "expected"),
    [
        (DailyMaxTemperature, "obs_day", lambda d: expected_daily(d, "max")),
        (DailyMinTemperature, "obs_day", lambda d: expected_daily(d, "min")),
        (
            MonthlyAverageOfDailyMaxTemperature,
            "obs_month",
            lambda d: expected_monthly_average(d, "max"),
        ),
        (
            MonthlyAverageOfDailyMinTemperature,
            "obs_month",
            lambda d: expected_monthly_average(d, "min"),
        ),
        (MonthlyTotalPrecipitation, "obs_month", expected_monthly_precipitation),
    ],
)
def test_weather_anomaly_matviews(head_data, cls, period, expected):
    session, data = head_data
    wanted = expected(data)
    assert wanted  # the data set exercises every matview
    found = _statistics(session, cls, period)
    assert set(found) == set(wanted)
    for key, (statistic, coverage) in wanted.items():
        assert found[key] == (pytest.approx(statistic), pytest.approx(coverage)), key


@pytest.mark.parametrize(
    ("query", "cls"),
    [
        (lambda: daily_temperature_extremum("max"), DailyMaxTemperature),
        (lambda: daily_temperature_extremum("min"), DailyMinTemperature),
        (
            lambda: monthly_average_of_daily_temperature_extremum_with_avg_coverage("max"),
            MonthlyAverageOfDailyMaxTemperature,
        ),
        (monthly_total_precipitation_with_avg_coverage, MonthlyTotalPrecipitation),
    ],
)
def test_upstream_queries_give_the_matview_rows(head_data, query, cls):
    session, _ = head_data
    columns = [c.name for c in cls.__table__.columns]
    from_query = {tuple(row) for row in session.execute(query()).all()}
    from_matview = {tuple(row) for row in session.execute(sa.select(*cls.__table__.c[*columns]))}
    assert from_query == from_matview


def test_view_classes_are_read_only(head_data):
    session, data = head_data
    row = session.scalars(sa.select(HistoryStationNetwork)).first()
    row.station_name = "renamed"
    with pytest.raises(ReadOnlyRelationError, match="read-only"):
        session.flush()
    session.rollback()
    session.add(ObsCountPerDayHistory(history_id=data.histories[0].id, count=1))
    with pytest.raises(ReadOnlyRelationError):
        session.flush()
    session.rollback()
