"""The functions revision 5fac7e3a8b64 creates, frozen: working ``daily_ts``/``monthly_ts``.

They reach the station through meta_history (upstream's filter on ``obs_raw.station_id``, a
column that does not exist) and declare ``RETURNS TABLE``. Never edit them to follow the
head (``pycds.replaceables``); add a revision.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction


def functions(s: str) -> list[PGFunction]:
    """``daily_ts`` then ``monthly_ts``."""
    return [
        PGFunction(
            schema=s,
            signature="daily_ts(station_id integer, vars_id integer, percent_obs real)",
            # percent_obs_available counts observations against 24 hourly ones per day.
            definition=f"""RETURNS TABLE(
    daily_time timestamp without time zone, daily_mean real,
    percent_obs_available real, daily_count integer
)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT per_day.obs_day, per_day.mean::real, (per_day.n * 100.0 / 24)::real, per_day.n::integer
    FROM (
        SELECT date_trunc('day', o.obs_time) AS obs_day, avg(o.datum) AS mean, count(*) AS n
        FROM {s}.obs_raw AS o
        JOIN {s}.meta_history AS h ON h.history_id = o.history_id
        WHERE h.station_id = daily_ts.station_id AND o.vars_id = daily_ts.vars_id
        GROUP BY date_trunc('day', o.obs_time)
    ) AS per_day
    WHERE per_day.n * 100.0 / 24 >= daily_ts.percent_obs
    ORDER BY per_day.obs_day;
END;
$$""",
        ),
        PGFunction(
            schema=s,
            signature="monthly_ts(station_id integer, vars_id integer, percent_obs real)",
            # percent_obs_available counts observations against 24 hourly ones per day of
            # the month.
            definition=f"""RETURNS TABLE(
    monthly_time timestamp without time zone, monthly_mean real,
    percent_obs_available real, monthly_count integer
)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT per_month.obs_month, per_month.mean::real,
        (per_month.n * 100.0 / (24 * {s}.daysinmonth(per_month.obs_month)))::real,
        per_month.n::integer
    FROM (
        SELECT date_trunc('month', o.obs_time) AS obs_month, avg(o.datum) AS mean, count(*) AS n
        FROM {s}.obs_raw AS o
        JOIN {s}.meta_history AS h ON h.history_id = o.history_id
        WHERE h.station_id = monthly_ts.station_id AND o.vars_id = monthly_ts.vars_id
        GROUP BY date_trunc('month', o.obs_time)
    ) AS per_month
    WHERE per_month.n * 100.0 / (24 * {s}.daysinmonth(per_month.obs_month))
        >= monthly_ts.percent_obs
    ORDER BY per_month.obs_month;
END;
$$""",
        ),
    ]
