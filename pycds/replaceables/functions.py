"""The ordinary (non-trigger) functions of the CRMP schema.

Every reference to an object of the schema is qualified with it, and PostGIS objects with
``public.``, so the functions behave the same whatever the caller's ``search_path``.

Deliberate differences from the upstream definitions (crmp-facts section 7):

- ``daily_ts``/``monthly_ts`` reach the station through meta_history (obs_raw has no
  station_id column; upstream's versions always fail);
- ``updatesdateedate`` joins on explicit keys (a NATURAL JOIN would also match the
  mod_time/mod_user columns added by history tracking) and touches only stations whose
  dates change, so it does not write needless history rows;
- ``getstationvariabletable`` returns SQL with schema-qualified names and quotes every
  identifier and value it interpolates;
- pure date helpers are IMMUTABLE PARALLEL SAFE; ``variable_tags`` is too (it depends only on
  its argument), which also lets the matviews that call it be built in parallel.

Three functions are PL/Python (untrusted), so they must be created by a superuser: see
:func:`pycds.replaceables.needs_su_role`.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction

from pycds.replaceables._schema import resolve_schema


def _variable_tags(s: str) -> PGFunction:
    # Climatology in any case, as upstream (net_var_name is citext), tested on the text value
    # with pg_catalog's ~*: citext's own operators live in whichever schema holds the
    # extension and would depend on search_path.
    return PGFunction(
        schema=s,
        signature=f"variable_tags(var {s}.meta_vars)",
        definition="""RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN (var).net_var_name::text ~* 'climatology' THEN ARRAY['climatology']
    ELSE ARRAY['observation']
END
$$""",
    )


def _date_helpers(s: str) -> list[PGFunction]:
    return [
        PGFunction(
            schema=s,
            signature="daysinmonth(timestamp without time zone)",
            definition="""RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT date_part('day', date_trunc('month', $1) + interval '1 month' - interval '1 day')
$$""",
        ),
        PGFunction(
            schema=s,
            signature="lastdateofmonth(date)",
            definition="""RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT (date_trunc('month', $1) + interval '1 month' - interval '1 day')::date
$$""",
        ),
        PGFunction(
            schema=s,
            signature="season(timestamp without time zone)",
            # December maps to January 15 of the *same* year, as in the upstream definition,
            # because existing clients group seasons that way.
            definition="""RETURNS date LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    month_of_year integer := extract(month FROM $1)::integer;
    mid_season_month integer;
BEGIN
    mid_season_month := CASE
        WHEN month_of_year IN (12, 1, 2) THEN 1
        WHEN month_of_year IN (3, 4, 5) THEN 4
        WHEN month_of_year IN (6, 7, 8) THEN 7
        ELSE 10
    END;
    RETURN make_date(extract(year FROM $1)::integer, mid_season_month, 15);
END;
$$""",
        ),
        PGFunction(
            schema=s,
            signature=(
                "effective_day(obs_time timestamp without time zone, "
                "extremum character varying, freq character varying DEFAULT ''::character varying)"
            ),
            # A 12-hourly maximum observed in the afternoon or evening is attributed to the
            # next day (the weather-anomaly products' convention); anything else to its day.
            definition="""RETURNS timestamp without time zone LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF extremum = 'max' AND freq = '12-hourly' AND extract(hour FROM obs_time) >= 12 THEN
        RETURN date_trunc('day', obs_time) + interval '1 day';
    END IF;
    RETURN date_trunc('day', obs_time);
END;
$$""",
        ),
    ]


def _station_queries(s: str) -> list[PGFunction]:
    return [
        PGFunction(
            schema=s,
            signature=("closest_stns_within_threshold(x numeric, y numeric, thres integer)"),
            # SECURITY DEFINER (as upstream) runs with the owner's rights, so the search_path
            # is pinned to keep callers from substituting objects; every name is qualified.
            definition=f"""RETURNS TABLE(
    history_id integer, lat numeric, lon numeric, dist double precision
)
LANGUAGE plpgsql SECURITY DEFINER ROWS 1000
SET search_path TO pg_catalog, pg_temp AS $$
DECLARE
    target public.geography := public.st_setsrid(public.st_makepoint(x, y), 4326)::public.geography;
BEGIN
    RETURN QUERY
    SELECT h.history_id, h.lat, h.lon, public.st_distance(h.the_geom::public.geography, target)
    FROM {s}.meta_history AS h
    WHERE public.st_dwithin(h.the_geom::public.geography, target, thres)
    ORDER BY 4;
END;
$$""",
        ),
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
        PGFunction(
            schema=s,
            signature="updatesdateedate()",
            definition=f"""RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {s}.meta_station AS st
    SET min_obs_time = span.first_obs, max_obs_time = span.last_obs
    FROM (
        SELECT h.station_id, min(o.obs_time) AS first_obs, max(o.obs_time) AS last_obs
        FROM {s}.obs_raw AS o
        JOIN {s}.meta_history AS h ON h.history_id = o.history_id
        GROUP BY h.station_id
    ) AS span
    WHERE st.station_id = span.station_id
        AND (st.min_obs_time IS DISTINCT FROM span.first_obs
             OR st.max_obs_time IS DISTINCT FROM span.last_obs);
END;
$$""",
        ),
    ]


def _pivot_queries(s: str) -> list[PGFunction]:
    # PL/Python bodies must start at column 0. Only integers and quote_ident'ed names are
    # interpolated into the returned SQL; the schema is a validated plain identifier.
    #
    # The bodies contain no single colon (no if/for/def blocks, no slices): alembic-utils
    # escapes ":" as "\:" for SQLAlchemy, and a definition rendered into a migration file
    # and loaded again would be escaped twice, leaving a stray backslash in the Python code.
    # The prepared plans are cached per session in SD ("or" prepares only on a miss).
    getstationvariabletable = f"""RETURNS text LANGUAGE plpython3u STRICT AS $$
tag = "climatology" if climo else "observation"
plan = SD.get("variables") or SD.setdefault("variables", plpy.prepare(
    "SELECT v.vars_id, v.net_var_name::text AS net_var_name"
    " FROM {s}.meta_vars AS v"
    " JOIN {s}.meta_station AS st ON st.network_id = v.network_id"
    " WHERE st.station_id = $1 AND $2 = ANY ({s}.variable_tags(v))"
    " ORDER BY v.vars_id",
    ["integer", "text"],
))
variables = plpy.execute(plan, [station_id, tag])
columns = "".join(
    ", max(CASE WHEN o.vars_id = {{0}} THEN o.datum END) AS {{1}}".format(
        int(v["vars_id"]), plpy.quote_ident(v["net_var_name"])
    )
    for v in variables
)
# A station without such variables still gets a valid query, with no rows.
wanted = ", ".join(str(int(v["vars_id"])) for v in variables) or "NULL"
return (
    "SELECT o.obs_time" + columns
    + " FROM {s}.obs_raw AS o"
    + " JOIN {s}.meta_history AS h ON h.history_id = o.history_id"
    + " WHERE h.station_id = " + str(int(station_id))
    + " AND o.vars_id IN (" + wanted + ")"
    + " GROUP BY o.obs_time ORDER BY o.obs_time"
)
$$"""

    def one_station(climo: bool) -> str:
        return f"""RETURNS text LANGUAGE plpython3u STRICT AS $$
plan = SD.get("query") or SD.setdefault("query", plpy.prepare(
    "SELECT {s}.getstationvariabletable($1, {str(climo).lower()}) AS query", ["integer"]
))
return plpy.execute(plan, [station_id])[0]["query"]
$$"""

    return [
        PGFunction(
            schema=s,
            signature="getstationvariabletable(station_id integer, climo boolean)",
            definition=getstationvariabletable,
        ),
        PGFunction(
            schema=s,
            signature="query_one_station(station_id integer)",
            definition=one_station(climo=False),
        ),
        PGFunction(
            schema=s,
            signature="query_one_station_climo(station_id integer)",
            definition=one_station(climo=True),
        ),
        PGFunction(
            schema=s,
            signature="do_query_one_station(station_id integer)",
            definition=f"""RETURNS refcursor LANGUAGE plpgsql AS $$
DECLARE
    result refcursor := 'result';
BEGIN
    OPEN result FOR EXECUTE {s}.query_one_station(station_id);
    RETURN result;
END;
$$""",
        ),
    ]


def functions(schema: str | None = None) -> list[PGFunction]:
    """The 13 ordinary functions (not the hxtk helpers), dependencies first."""
    s = resolve_schema(schema)
    return [
        _variable_tags(s),
        *_date_helpers(s),
        *_station_queries(s),
        *_pivot_queries(s),
    ]
