"""The eleven native materialized views of the CRMP schema, and their indexes as data.

alembic-utils re-creates a materialized view to replace it and knows nothing of its indexes,
so the indexes are kept here as :class:`MatviewIndex` values that migrations create after
each (re)creation.

Definitions are listed dependencies first: ``vars_per_history_mv`` before
``collapsed_vars_mv``; ``discarded_obs_raw_mv`` before the daily views, and the daily before
the monthly ones (which read them). That is also the refresh order.

A "good" observation is one not listed in ``discarded_obs_raw_mv``. Data coverage is the
number of observations divided by the number expected per day for the history's frequency
(daily 1, 12-hourly 2, 1-hourly 24), which equals the sum of per-observation weights but is
computed exactly in numeric. ``freq`` is compared as text because it is an enum in the
production databases.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic_utils.pg_materialized_view import PGMaterializedView

from pycds.replaceables._schema import resolve_schema


@dataclass(frozen=True)
class MatviewIndex:
    """An index on a materialized view: created after the matview, lost when it is dropped."""

    schema: str
    name: str
    matview: str
    columns: tuple[str, ...]
    unique: bool = False

    def create_sql(self, *, if_not_exists: bool = False) -> str:
        unique = "UNIQUE " if self.unique else ""
        guard = "IF NOT EXISTS " if if_not_exists else ""
        return (
            f"CREATE {unique}INDEX {guard}{self.name} ON {self.schema}.{self.matview} "
            f"({', '.join(self.columns)})"
        )

    def drop_sql(self, *, if_exists: bool = False) -> str:
        guard = "IF EXISTS " if if_exists else ""
        return f"DROP INDEX {guard}{self.schema}.{self.name}"


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


def matviews(schema: str | None = None) -> list[PGMaterializedView]:
    """All eleven materialized views, dependencies first."""
    s = resolve_schema(schema)
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


def matview_indexes(schema: str | None = None) -> list[MatviewIndex]:
    """The indexes of every materialized view (crmp-facts 5.2), in matview order."""
    s = resolve_schema(schema)
    indexes = [
        MatviewIndex(s, "var_hist_idx", "vars_per_history_mv", ("history_id", "vars_id")),
        MatviewIndex(s, "climo_obs_count_idx", "climo_obs_count_mv", ("history_id",)),
        MatviewIndex(
            s,
            "station_obs_stats_mv_idx",
            "station_obs_stats_mv",
            ("min_obs_time", "max_obs_time", "obs_count", "station_id", "history_id"),
        ),
        MatviewIndex(s, "collapsed_vars_idx", "collapsed_vars_mv", ("history_id",)),
        MatviewIndex(
            s,
            "obs_count_per_month_history_idx",
            "obs_count_per_month_history_mv",
            ("date_trunc", "history_id"),
        ),
        # Named like a primary key for compatibility, but it is an index, not a constraint.
        MatviewIndex(
            s, "discarded_obs_raw_mv_pkey", "discarded_obs_raw_mv", ("obs_raw_id",), unique=True
        ),
    ]
    for extremum in ("max", "min"):
        name = f"daily_{extremum}_temperature_mv"
        indexes.append(
            MatviewIndex(s, f"{name}_idx", name, ("history_id", "vars_id", "obs_day"), unique=True)
        )
    for name in (
        "monthly_average_of_daily_max_temperature_mv",
        "monthly_average_of_daily_min_temperature_mv",
        "monthly_total_precipitation_mv",
    ):
        indexes.append(
            MatviewIndex(
                s, f"{name}_idx", name, ("history_id", "vars_id", "obs_month"), unique=True
            )
        )
    return indexes


def indexes_of(matview: str, schema: str | None = None) -> list[MatviewIndex]:
    """The indexes to re-create after (re)creating ``matview``."""
    return [index for index in matview_indexes(schema) if index.matview == matview]
