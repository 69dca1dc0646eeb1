"""The 4 views and 11 materialized views of upstream's head, with their indexes and owners.

Column names and types are upstream's: the two station views expose ``the_geom`` as bytea
(upstream compiled them from ORM selects, which wrap geometry in ``ST_AsEWKB``). The
queries are our own, with explicit joins. ``su_owned`` marks what upstream created under
``SET ROLE`` (crmp-facts 5.4). Listed in creation order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RootRelation:
    """A view or materialized view: its query, owner kind and matview indexes."""

    name: str
    query: str
    materialized: bool
    su_owned: bool
    indexes: tuple[str, ...] = ()  # CREATE INDEX statements

    def create_sql(self, schema: str) -> str:
        kind = "MATERIALIZED VIEW" if self.materialized else "VIEW"
        return f"CREATE {kind} {schema}.{self.name} AS {self.query}"

    def drop_sql(self, schema: str) -> str:
        kind = "MATERIALIZED VIEW" if self.materialized else "VIEW"
        return f"DROP {kind} {schema}.{self.name}"


def history_join_station_network(s: str) -> RootRelation:
    return RootRelation(
        "history_join_station_network",
        f"""SELECT n.network_id, st.station_id, h.history_id, h.station_name, h.lon, h.lat,
    h.elev, h.sdate, h.edate, h.tz_offset, h.province, h.country, h.comments,
    public.st_asewkb(h.the_geom) AS the_geom, h.sensor_id, st.native_id, n.network_name,
    n.description, n.virtual
FROM {s}.meta_history AS h
JOIN {s}.meta_station AS st ON st.station_id = h.station_id
JOIN {s}.meta_network AS n ON n.network_id = st.network_id""",
        materialized=False,
        su_owned=False,
    )


def crmp_network_geoserver(s: str) -> RootRelation:
    return RootRelation(
        "crmp_network_geoserver",
        f"""SELECT n.network_name, st.native_id, h.station_name, h.lon, h.lat, h.elev,
    stats.min_obs_time, stats.max_obs_time, h.freq, h.tz_offset, h.province, st.station_id,
    h.history_id, h.country, h.comments, public.st_asewkb(h.the_geom) AS the_geom,
    h.sensor_id, n.description, n.network_id, n.col_hex, cv.vars_ids,
    cv.unique_variable_tags, cv.vars, cv.display_names
FROM {s}.meta_history AS h
JOIN {s}.meta_station AS st ON st.station_id = h.station_id
JOIN {s}.meta_network AS n ON n.network_id = st.network_id
LEFT JOIN {s}.collapsed_vars_mv AS cv ON cv.history_id = h.history_id
LEFT JOIN {s}.station_obs_stats_mv AS stats ON stats.history_id = h.history_id""",
        materialized=False,
        su_owned=True,
    )


def _index(s: str, name: str, matview: str, columns: str, unique: bool = False) -> str:
    return f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {s}.{matview} ({columns})"


def _daily(s: str, extremum: str) -> RootRelation:
    aggregate, cell_method = {"max": ("max", "maximum"), "min": ("min", "minimum")}[extremum]
    name = f"daily_{extremum}_temperature_mv"
    day = f"{s}.effective_day(o.obs_time, '{extremum}', h.freq::text)"
    return RootRelation(
        name,
        f"""SELECT o.history_id, o.vars_id, {day} AS obs_day, {aggregate}(o.datum) AS statistic,
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
GROUP BY o.history_id, o.vars_id, {day}""",
        materialized=True,
        su_owned=True,
        indexes=(_index(s, f"{name}_idx", name, "history_id, vars_id, obs_day", unique=True),),
    )


def _monthly_average(s: str, extremum: str) -> RootRelation:
    name = f"monthly_average_of_daily_{extremum}_temperature_mv"
    return RootRelation(
        name,
        f"""SELECT d.history_id, d.vars_id, date_trunc('month', d.obs_day) AS obs_month,
    avg(d.statistic) AS statistic,
    sum(d.data_coverage)
        / {s}.daysinmonth(date_trunc('month', d.obs_day))::numeric AS data_coverage
FROM {s}.daily_{extremum}_temperature_mv AS d
GROUP BY d.history_id, d.vars_id, date_trunc('month', d.obs_day)""",
        materialized=True,
        su_owned=True,
        indexes=(_index(s, f"{name}_idx", name, "history_id, vars_id, obs_month", unique=True),),
    )


def monthly_matviews(s: str) -> list[RootRelation]:
    """The three matviews that call ``daysinmonth``."""
    precipitation = RootRelation(
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
        materialized=True,
        su_owned=True,
        indexes=(
            _index(
                s,
                "monthly_total_precipitation_mv_idx",
                "monthly_total_precipitation_mv",
                "history_id, vars_id, obs_month",
                unique=True,
            ),
        ),
    )
    return [_monthly_average(s, "max"), _monthly_average(s, "min"), precipitation]


def matviews(s: str) -> list[RootRelation]:
    """All eleven, dependencies first."""
    return [
        RootRelation(
            "vars_per_history_mv",
            f"""SELECT o.history_id, o.vars_id, min(o.obs_time) AS start_time,
    max(o.obs_time) AS end_time
FROM {s}.obs_raw AS o
GROUP BY o.history_id, o.vars_id""",
            materialized=True,
            su_owned=True,
            indexes=(_index(s, "var_hist_idx", "vars_per_history_mv", "history_id, vars_id"),),
        ),
        RootRelation(
            "climo_obs_count_mv",
            f"""SELECT count(*) AS count, o.history_id
FROM {s}.obs_raw AS o
JOIN {s}.meta_vars AS v ON v.vars_id = o.vars_id
WHERE 'climatology' = ANY ({s}.variable_tags(v.*))
GROUP BY o.history_id""",
            materialized=True,
            su_owned=False,
            indexes=(_index(s, "climo_obs_count_idx", "climo_obs_count_mv", "history_id"),),
        ),
        RootRelation(
            "station_obs_stats_mv",
            f"""SELECT h.station_id, o.history_id, max(o.obs_time) AS max_obs_time,
    min(o.obs_time) AS min_obs_time, count(DISTINCT o.obs_time) AS obs_count
FROM {s}.obs_raw AS o
JOIN {s}.meta_history AS h ON h.history_id = o.history_id
GROUP BY h.station_id, o.history_id""",
            materialized=True,
            su_owned=False,
            indexes=(
                _index(
                    s,
                    "station_obs_stats_mv_idx",
                    "station_obs_stats_mv",
                    "min_obs_time, max_obs_time, obs_count, station_id, history_id",
                ),
            ),
        ),
        RootRelation(
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
            materialized=True,
            su_owned=True,
            indexes=(_index(s, "collapsed_vars_idx", "collapsed_vars_mv", "history_id"),),
        ),
        RootRelation(
            "obs_count_per_month_history_mv",
            f"""SELECT count(*) AS count, date_trunc('month', o.obs_time) AS date_trunc,
    o.history_id
FROM {s}.obs_raw AS o
GROUP BY date_trunc('month', o.obs_time), o.history_id""",
            materialized=True,
            su_owned=False,
            indexes=(
                _index(
                    s,
                    "obs_count_per_month_history_idx",
                    "obs_count_per_month_history_mv",
                    "date_trunc, history_id",
                ),
            ),
        ),
        RootRelation(
            "discarded_obs_raw_mv",
            # Upstream's reads obs_raw too (the join adds nothing: the flag links reference it).
            f"""SELECT o.obs_raw_id
FROM {s}.obs_raw AS o
JOIN {s}.obs_raw_native_flags AS onf ON onf.obs_raw_id = o.obs_raw_id
JOIN {s}.meta_native_flag AS nf ON nf.native_flag_id = onf.native_flag_id
WHERE nf.discard
UNION
SELECT o.obs_raw_id
FROM {s}.obs_raw AS o
JOIN {s}.obs_raw_pcic_flags AS opf ON opf.obs_raw_id = o.obs_raw_id
JOIN {s}.meta_pcic_flag AS pf ON pf.pcic_flag_id = opf.pcic_flag_id
WHERE pf.discard""",
            materialized=True,
            su_owned=True,
            indexes=(
                _index(
                    s,
                    "discarded_obs_raw_mv_pkey",
                    "discarded_obs_raw_mv",
                    "obs_raw_id",
                    unique=True,
                ),
            ),
        ),
        _daily(s, "max"),
        _daily(s, "min"),
        *monthly_matviews(s),
    ]


def views_on_tables(s: str) -> list[RootRelation]:
    return [
        history_join_station_network(s),
        RootRelation(
            "obs_count_per_day_history_v",
            f"""SELECT count(*) AS count, date_trunc('day', o.obs_time) AS date_trunc,
    o.history_id
FROM {s}.obs_raw AS o
GROUP BY date_trunc('day', o.obs_time), o.history_id""",
            materialized=False,
            su_owned=False,
        ),
        RootRelation(
            "obs_with_flags",
            f"""SELECT v.vars_id, v.network_id, v.unit, v.standard_name, v.cell_method,
    v.net_var_name, h.station_id, o.obs_raw_id, o.obs_time, o.mod_time, o.datum
FROM {s}.obs_raw AS o
JOIN {s}.meta_vars AS v ON v.vars_id = o.vars_id
JOIN {s}.meta_history AS h ON h.history_id = o.history_id""",
            materialized=False,
            su_owned=False,
        ),
    ]


# Upstream granted the standard privileges on every matview and on this view only.
GRANTED_VIEWS = ("crmp_network_geoserver",)


def all_relations(s: str) -> list[RootRelation]:
    """Views on tables, matviews, then the station view that reads two matviews."""
    return [*views_on_tables(s), *matviews(s), crmp_network_geoserver(s)]
