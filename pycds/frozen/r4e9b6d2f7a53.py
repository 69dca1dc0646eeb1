"""The functions revision 4e9b6d2f7a53 creates, frozen as that revision wrote them.

Eighteen of the 21 functions (``daily_ts``/``monthly_ts``: revision 5fac7e3a8b64,
``daysinmonth``: 7bce9a5cad86), schema-qualified, with pinned ``search_path`` where
needed. Later revisions that replace one of them restore it from here on downgrade
(``hxtk_primary_ops_to_hx``: a93888fd78de, ``variable_tags``: 25e7620a1047), so each text
exists once. Frozen on purpose: never edit these to follow the head (``pycds.replaceables``);
add a revision.

The history trigger copies a row into its hx table by position; ``variable_tags`` matches
``Climatology`` case-sensitively.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction


def _history_functions(s: str) -> list[PGFunction]:
    """The six hxtk functions: three name helpers, then the three trigger functions."""
    return [
        PGFunction(
            schema=s,
            signature="hxtk_collection_name_from_hx(hx_table_name text)",
            definition=(
                "RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
                "AS $$ SELECT regexp_replace(hx_table_name, '_hx$', '') $$"
            ),
        ),
        PGFunction(
            schema=s,
            signature="hxtk_hx_table_name(collection_name text)",
            definition=(
                "RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
                "AS $$ SELECT collection_name || '_hx' $$"
            ),
        ),
        PGFunction(
            schema=s,
            signature="hxtk_hx_id_name(collection_name text)",
            definition=(
                "RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
                "AS $$ SELECT collection_name || '_hx_id' $$"
            ),
        ),
        PGFunction(
            schema=s,
            signature="hxtk_primary_control_hx_cols()",
            definition="""RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- On DELETE there is no NEW row to stamp; the deletion record written by
    -- hxtk_primary_ops_to_hx carries its own stamp. Returning OLD lets the delete proceed.
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.mod_time := now();
    NEW.mod_user := current_user;
    RETURN NEW;
END;
$$""",
        ),
        PGFunction(
            schema=s,
            signature="hxtk_primary_ops_to_hx()",
            definition=f"""returns trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    hx_row_source record;
    is_deletion boolean := TG_OP = 'DELETE';
BEGIN
    IF is_deletion THEN
        -- The deletion itself is a change: record who removed the row and when.
        -- localtimestamp (not now()): the JSON text of a timestamptz would lose the
        -- session time zone when read back into a timestamp column.
        hx_row_source := jsonb_populate_record(
            OLD, jsonb_build_object('mod_time', localtimestamp, 'mod_user', current_user)
        );
    ELSE
        hx_row_source := NEW;
    END IF;
    -- Positional copy: the hx table starts with the tracked table's columns in the same
    -- order, then "deleted". The hx id and the foreign hx ids are omitted: the first
    -- takes its identity default, the others are filled by t100_add_foreign_hx_keys.
    EXECUTE format(
        'INSERT INTO %I.%I SELECT ($1).*, $2',
        TG_TABLE_SCHEMA,
        {s}.hxtk_hx_table_name(TG_TABLE_NAME)
    ) USING hx_row_source, is_deletion;
    RETURN NULL;
END;
$function$""",
        ),
        PGFunction(
            schema=s,
            signature="hxtk_add_foreign_hx_keys()",
            definition=f"""RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pair text[];
    foreign_table text;
    fk_column text;
    foreign_hx_id_column text;
    latest_hx_id bigint;
BEGIN
    -- Without an argument the hx table has no foreign hx ids to fill.
    IF TG_NARGS = 0 THEN
        RETURN NEW;
    END IF;
    FOREACH pair SLICE 1 IN ARRAY TG_ARGV[0]::text[] LOOP
        foreign_table := pair[1];
        fk_column := pair[2];
        foreign_hx_id_column := {s}.hxtk_hx_id_name(foreign_table);
        EXECUTE format(
            'SELECT max(%I) FROM %I.%I WHERE %I = ($1).%I',
            foreign_hx_id_column,
            TG_TABLE_SCHEMA,
            {s}.hxtk_hx_table_name(foreign_table),
            fk_column,
            fk_column
        ) INTO latest_hx_id USING NEW;
        NEW := jsonb_populate_record(
            NEW, jsonb_build_object(foreign_hx_id_column, latest_hx_id)
        );
    END LOOP;
    RETURN NEW;
END;
$$""",
        ),
    ]


def _network_trigger_functions(s: str) -> list[PGFunction]:
    """The trigger functions behind the meta_network display-name triggers."""
    return [
        PGFunction(
            schema=s,
            signature="set_network_display_name_default()",
            definition="""RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network_display_name IS NULL THEN
        NEW.network_display_name := NEW.network_name;
    END IF;
    RETURN NEW;
END;
$$""",
        ),
        PGFunction(
            schema=s,
            signature="prevent_network_name_modification()",
            definition="""RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network_name IS DISTINCT FROM OLD.network_name THEN
        RAISE EXCEPTION 'network_name of network % cannot be changed (% -> %)',
            OLD.network_id, OLD.network_name, NEW.network_name
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Change network_display_name instead.';
    END IF;
    RETURN NEW;
END;
$$""",
        ),
    ]


def variable_tags(s: str) -> PGFunction:
    # The Climatology test is case-sensitive and made on the text value: citext's own
    # operators live in whichever schema holds the extension and would depend on search_path.
    return PGFunction(
        schema=s,
        signature=f"variable_tags(var {s}.meta_vars)",
        definition="""RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN strpos((var).net_var_name::text, 'Climatology') > 0 THEN ARRAY['climatology']
    ELSE ARRAY['observation']
END
$$""",
    )


def _date_helpers(s: str) -> list[PGFunction]:
    return [
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


def functions(s: str) -> list[PGFunction]:
    """The 18 functions, in the order the revision creates them."""
    return [
        *_history_functions(s),
        *_network_trigger_functions(s),
        variable_tags(s),
        *_date_helpers(s),
        *_station_queries(s),
        *_pivot_queries(s),
    ]


def function(s: str, name: str) -> PGFunction:
    """The one function called ``name``."""
    (found,) = (f for f in functions(s) if f.signature.split("(", 1)[0] == name)
    return found
