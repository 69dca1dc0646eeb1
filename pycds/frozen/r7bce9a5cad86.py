"""What revision 7bce9a5cad86 creates, frozen: ``daysinmonth(timestamp)``, the eleven
materialized views and their indexes.

Never edit these to follow the head (``pycds.replaceables``); add a revision.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView


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


def _monthly_average_temperature(s: str, extremum: str) -> PGMaterializedView:
    return _matview(
        s,
        f"monthly_average_of_daily_{extremum}_temperature_mv",
        f"""SELECT d.history_id, d.vars_id, date_trunc('month', d.obs_day) AS obs_month,
    avg(d.statistic) AS statistic,
    sum(d.data_coverage)
        / {s}.daysinmonth(date_trunc('month', d.obs_day))::numeric AS data_coverage
FROM {s}.daily_{extremum}_temperature_mv AS d
GROUP BY d.history_id, d.vars_id, date_trunc('month', d.obs_day)""",
    )


def matviews(s: str) -> list[PGMaterializedView]:
    """All eleven materialized views, dependencies first."""
    return [
        _matview(
            s,
            "vars_per_history_mv",
            f"""SELECT o.history_id, o.vars_id, min(o.obs_time) AS start_time,
    max(o.obs_time) AS end_time
FROM {s}.obs_raw AS o
GROUP BY o.history_id, o.vars_id""",
        ),
        _matview(
            s,
            "climo_obs_count_mv",
            f"""SELECT count(*) AS count, o.history_id
FROM {s}.obs_raw AS o
JOIN {s}.meta_vars AS v ON v.vars_id = o.vars_id
WHERE 'climatology' = ANY ({s}.variable_tags(v.*))
GROUP BY o.history_id""",
        ),
        _matview(
            s,
            "station_obs_stats_mv",
            f"""SELECT h.station_id, o.history_id, max(o.obs_time) AS max_obs_time,
    min(o.obs_time) AS min_obs_time, count(DISTINCT o.obs_time) AS obs_count
FROM {s}.obs_raw AS o
JOIN {s}.meta_history AS h ON h.history_id = o.history_id
GROUP BY h.station_id, o.history_id""",
        ),
        # vars is a legacy, "likely wrong" identifier (pycds issue #180) kept for clients.
        _matview(
            s,
            "collapsed_vars_mv",
            f"""SELECT vph.history_id,
    array_agg(v.vars_id ORDER BY v.vars_id) AS vars_ids,
    tags.unique_variable_tags,
    string_agg(v.display_name, '|' ORDER BY v.vars_id) AS display_names,
    string_agg(v.standard_name || replace(v.cell_method, 'time: ', '_'), ', '
        ORDER BY v.vars_id) AS vars
FROM {s}.vars_per_history_mv AS vph
JOIN {s}.meta_vars AS v ON v.vars_id = vph.vars_id
JOIN (
    SELECT vph_t.history_id, array_agg(DISTINCT tag.tag ORDER BY tag.tag) AS unique_variable_tags
    FROM {s}.vars_per_history_mv AS vph_t
    JOIN {s}.meta_vars AS v_t ON v_t.vars_id = vph_t.vars_id
    CROSS JOIN LATERAL unnest({s}.variable_tags(v_t.*)) AS tag(tag)
    GROUP BY vph_t.history_id
) AS tags ON tags.history_id = vph.history_id
GROUP BY vph.history_id, tags.unique_variable_tags""",
        ),
        _matview(
            s,
            "obs_count_per_month_history_mv",
            f"""SELECT count(*) AS count, date_trunc('month', o.obs_time) AS date_trunc,
    o.history_id
FROM {s}.obs_raw AS o
GROUP BY date_trunc('month', o.obs_time), o.history_id""",
        ),
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
        _monthly_average_temperature(s, "max"),
        _monthly_average_temperature(s, "min"),
        _matview(
            s,
            "monthly_total_precipitation_mv",
            f"""SELECT o.history_id, o.vars_id, date_trunc('month', o.obs_time) AS obs_month,
    sum(o.datum) AS statistic,
    count(*) / max(CASE h.freq::text WHEN 'daily' THEN 1.0 WHEN '1-hourly' THEN 24.0 END)
        / {s}.daysinmonth(date_trunc('month', o.obs_time))::numeric AS data_coverage
FROM {s}.obs_raw AS o
JOIN {s}.meta_vars AS v ON v.vars_id = o.vars_id
JOIN {s}.meta_history AS h ON h.history_id = o.history_id
WHERE v.standard_name IN (
        'lwe_thickness_of_precipitation_amount',
        'thickness_of_rainfall_amount',
        'thickness_of_snowfall_amount'
    )
    AND v.cell_method = 'time: sum'
    AND h.freq::text IN ('1-hourly', 'daily')
    AND lower(v.net_var_name::text) <> 'cum_pcpn_amt'
    AND NOT EXISTS (
        SELECT 1 FROM {s}.discarded_obs_raw_mv AS d WHERE d.obs_raw_id = o.obs_raw_id
    )
GROUP BY o.history_id, o.vars_id, date_trunc('month', o.obs_time)""",
        ),
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
