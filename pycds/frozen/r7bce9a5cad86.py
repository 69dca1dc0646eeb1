"""What revision 7bce9a5cad86 creates, frozen: ``daysinmonth(timestamp)``, the eleven
materialized views and their indexes.

Never edit these to follow the head (``pycds.replaceables``); add a revision.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView

from pycds.upstream_head.views import all_relations


def daysinmonth(s: str) -> PGFunction:
    """Without its parameter name (upstream: ``daysinmonth(d timestamp)``)."""
    return PGFunction(
        schema=s,
        signature="daysinmonth(timestamp without time zone)",
        definition="""RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT date_part('day', date_trunc('month', $1) + interval '1 month' - interval '1 day')
$$""",
    )


def _matview(s: str, name: str, definition: str) -> PGMaterializedView:
    return PGMaterializedView(schema=s, signature=name, definition=definition, with_data=True)


def _daily_temperature(s: str, extremum: str) -> PGMaterializedView:
    aggregate, cell_method = {"max": ("max", "maximum"), "min": ("min", "minimum")}[extremum]
    return _matview(
        s,
        f"daily_{extremum}_temperature_mv",
        f"""SELECT o.history_id, o.vars_id,
    {s}.effective_day(o.obs_time, '{extremum}', h.freq::text) AS obs_day,
    {aggregate}(o.datum) AS statistic,
    count(*) / max(CASE h.freq::text
        WHEN 'daily' THEN 1.0 WHEN '12-hourly' THEN 2.0 WHEN '1-hourly' THEN 24.0
    END) AS data_coverage
FROM {s}.obs_raw AS o
JOIN {s}.meta_vars AS v ON v.vars_id = o.vars_id
JOIN {s}.meta_history AS h ON h.history_id = o.history_id
WHERE v.standard_name = 'air_temperature'
    AND v.cell_method IN ('time: {cell_method}', 'time: point', 'time: mean')
    AND h.freq::text IN ('1-hourly', '12-hourly', 'daily')
    AND NOT EXISTS (
        SELECT 1 FROM {s}.discarded_obs_raw_mv AS d WHERE d.obs_raw_id = o.obs_raw_id
    )
GROUP BY o.history_id, o.vars_id, {s}.effective_day(o.obs_time, '{extremum}', h.freq::text)""",
    )


def matviews(s: str) -> list[PGMaterializedView]:
    """All eleven materialized views, dependencies first.

    Eight keep the root's query text word for word (this revision re-creates them for their
    owner, grants and the new ``daysinmonth``): they take it from :mod:`pycds.upstream_head`,
    itself frozen, so that each text has one copy.
    """
    root = {relation.name: relation.query for relation in all_relations(s)}

    def kept(name: str) -> PGMaterializedView:
        return _matview(s, name, root[name])

    return [
        kept("vars_per_history_mv"),
        kept("climo_obs_count_mv"),
        kept("station_obs_stats_mv"),
        # vars is a legacy, "likely wrong" identifier (pycds issue #180) kept for clients.
        kept("collapsed_vars_mv"),
        kept("obs_count_per_month_history_mv"),
        # UNION (not UNION ALL) so each id appears once: the unique index depends on it.
        _matview(
            s,
            "discarded_obs_raw_mv",
            f"""SELECT onf.obs_raw_id
FROM {s}.obs_raw_native_flags AS onf
JOIN {s}.meta_native_flag AS nf ON nf.native_flag_id = onf.native_flag_id
WHERE nf.discard
UNION
SELECT opf.obs_raw_id
FROM {s}.obs_raw_pcic_flags AS opf
JOIN {s}.meta_pcic_flag AS pf ON pf.pcic_flag_id = opf.pcic_flag_id
WHERE pf.discard""",
        ),
        _daily_temperature(s, "max"),
        _daily_temperature(s, "min"),
        kept("monthly_average_of_daily_max_temperature_mv"),
        kept("monthly_average_of_daily_min_temperature_mv"),
        kept("monthly_total_precipitation_mv"),
    ]


# matview -> its indexes, as (name, columns, unique).
_INDEXES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "vars_per_history_mv": (("var_hist_idx", "history_id, vars_id", False),),
    "climo_obs_count_mv": (("climo_obs_count_idx", "history_id", False),),
    "station_obs_stats_mv": (
        (
            "station_obs_stats_mv_idx",
            "min_obs_time, max_obs_time, obs_count, station_id, history_id",
            False,
        ),
    ),
    "collapsed_vars_mv": (("collapsed_vars_idx", "history_id", False),),
    "obs_count_per_month_history_mv": (
        ("obs_count_per_month_history_idx", "date_trunc, history_id", False),
    ),
    # Named like a primary key for compatibility, but it is an index, not a constraint.
    "discarded_obs_raw_mv": (("discarded_obs_raw_mv_pkey", "obs_raw_id", True),),
    **{
        f"daily_{e}_temperature_mv": (
            (f"daily_{e}_temperature_mv_idx", "history_id, vars_id, obs_day", True),
        )
        for e in ("max", "min")
    },
    **{
        name: ((f"{name}_idx", "history_id, vars_id, obs_month", True),)
        for name in (
            "monthly_average_of_daily_max_temperature_mv",
            "monthly_average_of_daily_min_temperature_mv",
            "monthly_total_precipitation_mv",
        )
    },
}


def index_statements(s: str, matview: str) -> list[str]:
    """The CREATE INDEX statements to run after creating ``matview``."""
    return [
        f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {s}.{matview} ({columns})"
        for name, columns, unique in _INDEXES[matview]
    ]
