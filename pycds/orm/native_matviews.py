"""Read-only ORM classes for the eleven materialized views, and the queries they compute.

The matviews are created by the migrations from :mod:`pycds.replaceables.matviews`; these
classes only read them (see :mod:`pycds.orm.view_base`). Column types are the real ones at
head, e.g. ``data_coverage`` is ``numeric`` (computed exactly) and ``statistic`` is
``double precision``.

``good_obs`` and the ``daily_*`` / ``monthly_*`` functions are upstream's names for the
queries behind the weather-anomaly matviews. They are written here as SQLAlchemy
selects over the ORM and give the same rows as the matviews (a test checks it), so a client
can run them on data newer than the last refresh.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from pycds.orm.tables import History, Obs, Variable
from pycds.orm.view_base import MatviewBase, Relation, relation

_vars_per_history = relation(
    "vars_per_history_mv",
    sa.Column("history_id", sa.Integer),
    sa.Column("vars_id", sa.Integer),
    sa.Column("start_time", sa.DateTime),
    sa.Column("end_time", sa.DateTime),
    identity=("history_id", "vars_id"),
)


class VarsPerHistory(MatviewBase, relation=_vars_per_history):
    """Each (history, variable) pair that has observations, with its first and last time."""


_climo_obs_count = relation(
    "climo_obs_count_mv",
    sa.Column("count", sa.BigInteger),
    sa.Column("history_id", sa.Integer),
    identity=("history_id",),
)


class ClimoObsCount(MatviewBase, relation=_climo_obs_count):
    """Per history, the number of observations of climatology variables."""


_station_obs_stats = relation(
    "station_obs_stats_mv",
    sa.Column("station_id", sa.Integer),
    sa.Column("history_id", sa.Integer),
    sa.Column("max_obs_time", sa.DateTime),
    sa.Column("min_obs_time", sa.DateTime),
    sa.Column("obs_count", sa.BigInteger),
    identity=("history_id",),
)


class StationObservationStats(MatviewBase, relation=_station_obs_stats):
    """Per history: first and last observation time and number of distinct times."""


_collapsed_vars = relation(
    "collapsed_vars_mv",
    sa.Column("history_id", sa.Integer),
    sa.Column("vars_ids", ARRAY(sa.Integer)),
    sa.Column("unique_variable_tags", ARRAY(sa.Text)),
    sa.Column("display_names", sa.Text),
    # A "likely wrong" identifier (upstream issue #180) that clients still read.
    sa.Column("vars", sa.Text),
    identity=("history_id",),
)


class CollapsedVariables(MatviewBase, relation=_collapsed_vars):
    """Per history, its variables collapsed into arrays and joined strings."""


_obs_count_per_month = relation(
    "obs_count_per_month_history_mv",
    sa.Column("count", sa.BigInteger),
    sa.Column("date_trunc", sa.DateTime),
    sa.Column("history_id", sa.Integer),
    identity=("date_trunc", "history_id"),
)


class ObsCountPerMonthHistory(MatviewBase, relation=_obs_count_per_month):
    """Number of observations per (month, history)."""


_discarded_obs_raw = relation(
    "discarded_obs_raw_mv", sa.Column("obs_raw_id", sa.BigInteger), identity=("obs_raw_id",)
)


class DiscardedObsRaw(MatviewBase, relation=_discarded_obs_raw):
    """Ids of the observations carrying a native or PCIC flag with ``discard = true``."""

    # Attribute ``id`` for column ``obs_raw_id``, as upstream.
    __mapper_args__ = {"properties": {"id": _discarded_obs_raw.table.c.obs_raw_id}}


def _statistic_relation(name: str, period: str) -> Relation:
    return relation(
        name,
        sa.Column("history_id", sa.Integer),
        sa.Column("vars_id", sa.Integer),
        sa.Column(period, sa.DateTime),
        sa.Column("statistic", sa.Float),
        sa.Column("data_coverage", sa.Numeric),
        identity=("history_id", "vars_id", period),
    )


_daily_max = _statistic_relation("daily_max_temperature_mv", "obs_day")
_daily_min = _statistic_relation("daily_min_temperature_mv", "obs_day")
_monthly_max = _statistic_relation("monthly_average_of_daily_max_temperature_mv", "obs_month")
_monthly_min = _statistic_relation("monthly_average_of_daily_min_temperature_mv", "obs_month")
_monthly_precip = _statistic_relation("monthly_total_precipitation_mv", "obs_month")


class DailyMaxTemperature(MatviewBase, relation=_daily_max):
    """Daily maximum air temperature of good observations, with data coverage."""


class DailyMinTemperature(MatviewBase, relation=_daily_min):
    """Daily minimum air temperature of good observations, with data coverage."""


class MonthlyAverageOfDailyMaxTemperature(MatviewBase, relation=_monthly_max):
    """Monthly mean of the daily maxima, with data coverage."""


class MonthlyAverageOfDailyMinTemperature(MatviewBase, relation=_monthly_min):
    """Monthly mean of the daily minima, with data coverage."""


class MonthlyTotalPrecipitation(MatviewBase, relation=_monthly_precip):
    """Monthly total precipitation of good observations, with data coverage."""


# The queries behind the weather-anomaly matviews.


def _schema_func() -> sa.sql.functions._FunctionGenerator:
    return getattr(sa.func, _daily_max.table.schema)


def _freq() -> sa.ColumnElement[str]:
    # freq is an enum in production databases: compare it as text.
    return sa.cast(History.freq, sa.Text)


def _per_day(frequencies: dict[str, float]) -> sa.ColumnElement:
    """Expected number of observations per day for the history's frequency."""
    return sa.case({f: sa.literal(n, sa.Numeric) for f, n in frequencies.items()}, value=_freq())


# Observations that carry no discarding flag.
good_obs = (
    sa.select(
        Obs.id.label("id"),
        Obs.time.label("time"),
        Obs.mod_time.label("mod_time"),
        Obs.datum.label("datum"),
        Obs.vars_id.label("vars_id"),
        Obs.history_id.label("history_id"),
    )
    .where(~sa.exists().where(DiscardedObsRaw.id == Obs.id))
    .subquery("good_obs")
)


def daily_temperature_extremum(extremum: str) -> sa.Select:
    """Rows of ``daily_<extremum>_temperature_mv``; ``extremum`` is ``"max"`` or ``"min"``."""
    cell_method = {"max": "time: maximum", "min": "time: minimum"}[extremum]
    obs_day = _schema_func().effective_day(
        good_obs.c.time, sa.cast(extremum, sa.String), _freq(), type_=sa.DateTime
    )
    return (
        sa.select(
            good_obs.c.history_id.label("history_id"),
            good_obs.c.vars_id.label("vars_id"),
            obs_day.label("obs_day"),
            getattr(sa.func, extremum)(good_obs.c.datum).label("statistic"),
            (
                sa.func.count()
                / sa.func.max(_per_day({"daily": 1.0, "12-hourly": 2.0, "1-hourly": 24.0}))
            ).label("data_coverage"),
        )
        .select_from(good_obs)
        .join(Variable, Variable.id == good_obs.c.vars_id)
        .join(History, History.id == good_obs.c.history_id)
        .where(
            Variable.standard_name == "air_temperature",
            Variable.cell_method.in_((cell_method, "time: point", "time: mean")),
            _freq().in_(("1-hourly", "12-hourly", "daily")),
        )
        .group_by(good_obs.c.history_id, good_obs.c.vars_id, obs_day)
    )


def _per_month_coverage(total: sa.ColumnElement, month: sa.ColumnElement) -> sa.ColumnElement:
    return total / sa.cast(_schema_func().daysinmonth(month), sa.Numeric)


def monthly_average_of_daily_temperature_extremum_with_total_coverage(extremum: str) -> sa.Select:
    """Monthly mean of the daily extremum, with the month's summed daily coverage."""
    daily = {"max": DailyMaxTemperature, "min": DailyMinTemperature}[extremum]
    obs_month = sa.func.date_trunc("month", daily.obs_day, type_=sa.DateTime)
    return sa.select(
        daily.history_id.label("history_id"),
        daily.vars_id.label("vars_id"),
        obs_month.label("obs_month"),
        sa.func.avg(daily.statistic).label("statistic"),
        sa.func.sum(daily.data_coverage).label("total_data_coverage"),
    ).group_by(daily.history_id, daily.vars_id, obs_month)


def monthly_average_of_daily_temperature_extremum_with_avg_coverage(extremum: str) -> sa.Select:
    """Rows of ``monthly_average_of_daily_<extremum>_temperature_mv``."""
    totals = monthly_average_of_daily_temperature_extremum_with_total_coverage(extremum).subquery()
    return sa.select(
        totals.c.history_id,
        totals.c.vars_id,
        totals.c.obs_month,
        totals.c.statistic,
        _per_month_coverage(totals.c.total_data_coverage, totals.c.obs_month).label(
            "data_coverage"
        ),
    )


def monthly_total_precipitation_with_total_coverage() -> sa.Select:
    """Monthly precipitation totals, with the month's summed daily coverage."""
    obs_month = sa.func.date_trunc("month", good_obs.c.time, type_=sa.DateTime)
    return (
        sa.select(
            good_obs.c.history_id.label("history_id"),
            good_obs.c.vars_id.label("vars_id"),
            obs_month.label("obs_month"),
            sa.func.sum(good_obs.c.datum).label("statistic"),
            (sa.func.count() / sa.func.max(_per_day({"daily": 1.0, "1-hourly": 24.0}))).label(
                "total_data_coverage"
            ),
        )
        .select_from(good_obs)
        .join(Variable, Variable.id == good_obs.c.vars_id)
        .join(History, History.id == good_obs.c.history_id)
        .where(
            Variable.standard_name.in_(
                (
                    "lwe_thickness_of_precipitation_amount",
                    "thickness_of_rainfall_amount",
                    "thickness_of_snowfall_amount",
                )
            ),
            Variable.cell_method == "time: sum",
            _freq().in_(("1-hourly", "daily")),
            sa.func.lower(sa.cast(Variable.name, sa.Text)) != "cum_pcpn_amt",
        )
        .group_by(good_obs.c.history_id, good_obs.c.vars_id, obs_month)
    )


def monthly_total_precipitation_with_avg_coverage() -> sa.Select:
    """Rows of ``monthly_total_precipitation_mv``."""
    totals = monthly_total_precipitation_with_total_coverage().subquery()
    return sa.select(
        totals.c.history_id,
        totals.c.vars_id,
        totals.c.obs_month,
        totals.c.statistic,
        _per_month_coverage(totals.c.total_data_coverage, totals.c.obs_month).label(
            "data_coverage"
        ),
    )


__all__ = [
    "ClimoObsCount",
    "CollapsedVariables",
    "DailyMaxTemperature",
    "DailyMinTemperature",
    "DiscardedObsRaw",
    "MonthlyAverageOfDailyMaxTemperature",
    "MonthlyAverageOfDailyMinTemperature",
    "MonthlyTotalPrecipitation",
    "ObsCountPerMonthHistory",
    "StationObservationStats",
    "VarsPerHistory",
    "daily_temperature_extremum",
    "good_obs",
    "monthly_average_of_daily_temperature_extremum_with_avg_coverage",
    "monthly_average_of_daily_temperature_extremum_with_total_coverage",
    "monthly_total_precipitation_with_avg_coverage",
    "monthly_total_precipitation_with_total_coverage",
]
