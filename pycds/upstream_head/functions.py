"""The 21 functions of upstream's head, with upstream's signatures and properties.

Bodies are our own and behave as upstream's do (crmp-facts sections 4.3 and 6), which
includes upstream's flaws: names are not schema-qualified (callers need the schema on their
``search_path``), ``daily_ts``/``monthly_ts`` fail on every call (they filter on
``obs_raw.station_id``, which does not exist), ``updatesdateedate`` NATURAL-JOINs obs_raw to
meta_history (which also matches mod_time/mod_user) and so writes NULL dates,
``getstationvariabletable`` returns SQL naming ``obs_raw`` unqualified, and
``variable_tags`` matches ``Climatology`` case-insensitively. Functions created under
``SET ROLE`` upstream are owned by the SU role (``su_owned``).

No body contains a colon followed by a word character: the SQL is run through
SQLAlchemy's ``text()``, which would take it for a bind parameter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RootFunction:
    """One function: ``identity`` names it in DROP/ALTER, ``sql`` creates (or replaces) it."""

    name: str
    identity: str
    sql: str
    su_owned: bool

    def drop_sql(self, schema: str) -> str:
        return f"DROP FUNCTION {schema}.{self.identity}"


def _f(
    s: str, name: str, args: str, rest: str, *, su_owned: bool, identity: str = ""
) -> RootFunction:
    return RootFunction(
        name=name,
        identity=f"{name}({identity or args})",
        sql=f"CREATE OR REPLACE FUNCTION {s}.{name}({args}) {rest}",
        su_owned=su_owned,
    )


def hxtk_functions(s: str) -> list[RootFunction]:
    """History tracking: three name helpers and three trigger functions (migrating role)."""
    helpers = [
        (
            "hxtk_collection_name_from_hx",
            "hx_table_name",
            "regexp_replace(hx_table_name, '_hx$', '')",
        ),
        ("hxtk_hx_table_name", "collection_name", "collection_name || '_hx'"),
        ("hxtk_hx_id_name", "collection_name", "collection_name || '_hx_id'"),
    ]
    result = [
        _f(
            s,
            name,
            f"{arg} text",
            f"RETURNS text LANGUAGE plpgsql AS $$\nBEGIN\n    RETURN {expression};\nEND;\n$$",
            su_owned=False,
        )
        for name, arg, expression in helpers
    ]
    result += [
        _f(
            s,
            "hxtk_primary_control_hx_cols",
            "",
            """RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.mod_time := now();
    NEW.mod_user := current_user;
    RETURN NEW;
END;
$$""",
            su_owned=False,
        ),
        # Unqualified: the hx table and the helpers are found through the search_path.
        _f(
            s,
            "hxtk_primary_ops_to_hx",
            "",
            """RETURNS trigger LANGUAGE plpgsql PARALLEL UNSAFE AS $$
DECLARE
    source record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        source := OLD #= hstore(
            ARRAY['mod_time', 'mod_user'], ARRAY[localtimestamp::text, current_user::text]
        );
    ELSE
        source := NEW;
    END IF;
    EXECUTE format('INSERT INTO %I SELECT ($1).*, $2', hxtk_hx_table_name(TG_TABLE_NAME))
        USING source, TG_OP = 'DELETE';
    RETURN NULL;
END;
$$""",
            su_owned=False,
        ),
        _f(
            s,
            "hxtk_add_foreign_hx_keys",
            "",
            """RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pair text[];
    latest integer;
BEGIN
    IF TG_NARGS = 0 THEN
        RETURN NEW;
    END IF;
    FOREACH pair SLICE 1 IN ARRAY TG_ARGV[0]::text[] LOOP
        EXECUTE format(
            'SELECT max(%I) FROM %I WHERE %I = ($1).%I',
            hxtk_hx_id_name(pair[1]), hxtk_hx_table_name(pair[1]), pair[2], pair[2]
        ) INTO latest USING NEW;
        NEW := NEW #= hstore(hxtk_hx_id_name(pair[1]), latest::text);
    END LOOP;
    RETURN NEW;
END;
$$""",
            su_owned=False,
        ),
    ]
    return result


def network_trigger_functions(s: str) -> list[RootFunction]:
    """The display-name trigger functions of meta_network (migrating role)."""
    return [
        _f(
            s,
            "set_network_display_name_default",
            "",
            """RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network_display_name IS NULL THEN
        NEW.network_display_name := NEW.network_name;
    END IF;
    RETURN NEW;
END;
$$""",
            su_owned=False,
        ),
        _f(
            s,
            "prevent_network_name_modification",
            "",
            """RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network_name IS DISTINCT FROM OLD.network_name THEN
        RAISE EXCEPTION 'network_name cannot be changed (% -> %); change network_display_name',
            OLD.network_name, NEW.network_name;
    END IF;
    RETURN NEW;
END;
$$""",
            su_owned=False,
        ),
    ]


def variable_tags(s: str) -> RootFunction:
    """Upstream's tagger: case-insensitive ``Climatology`` match, volatile, parallel unsafe."""
    return _f(
        s,
        "variable_tags",
        f"var {s}.meta_vars",
        """RETURNS text[] LANGUAGE sql PARALLEL UNSAFE AS $$
SELECT CASE
    WHEN (var).net_var_name::text ~* 'climatology' THEN ARRAY['climatology']
    ELSE ARRAY['observation']
END
$$""",
        su_owned=False,
    )


def _ts(s: str, period: str) -> RootFunction:
    # Upstream's bug, kept: obs_raw has no station_id, so every call fails.
    coverage = "24" if period == "day" else "24 * daysinmonth(date_trunc('month', obs_time))"
    prefix = "daily" if period == "day" else "monthly"
    return _f(
        s,
        f"{prefix}_ts",
        f"station_id integer, vars_id integer, percent_obs real, "
        f"OUT {prefix}_time timestamp without time zone, OUT {prefix}_mean real, "
        f"OUT percent_obs_available real, OUT {prefix}_count integer",
        f"""RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE
        'SELECT date_trunc(''{period}'', obs_time), avg(datum)::real,'
        ' (count(*) * 100.0 / max({coverage.replace("'", "''")}))::real, count(*)::integer'
        ' FROM obs_raw WHERE obs_raw.station_id = $1 AND obs_raw.vars_id = $2'
        ' GROUP BY 1 HAVING count(*) * 100.0 / max({coverage.replace("'", "''")}) >= $3'
        ' ORDER BY 1'
        USING station_id, vars_id, percent_obs;
END;
$$""",
        su_owned=True,
        identity=(
            f"station_id integer, vars_id integer, percent_obs real, "
            f"OUT {prefix}_time timestamp without time zone, OUT {prefix}_mean real, "
            f"OUT percent_obs_available real, OUT {prefix}_count integer"
        ),
    )


def ordinary_functions(s: str) -> list[RootFunction]:
    """The 13 other functions, dependencies first; all but variable_tags SU-owned."""
    one_station = """RETURNS text LANGUAGE plpython3u AS $$
return plpy.execute(
    "SELECT getstationvariabletable(%d, {climo}) AS query" % station_id
)[0]["query"]
$$"""
    return [
        variable_tags(s),
        _f(
            s,
            "daysinmonth",
            "d timestamp without time zone",
            """RETURNS double precision LANGUAGE sql AS $$
SELECT date_part('day', date_trunc('month', d) + interval '1 month' - interval '1 day')
$$""",
            su_owned=True,
        ),
        _f(
            s,
            "lastdateofmonth",
            "date",
            """RETURNS date LANGUAGE sql AS $$
SELECT (date_trunc('month', $1) + interval '1 month' - interval '1 day')::date
$$""",
            su_owned=True,
        ),
        _f(
            s,
            "season",
            "d timestamp without time zone",
            """RETURNS date LANGUAGE plpgsql AS $$
DECLARE
    m integer := extract(month FROM d)::integer;
BEGIN
    RETURN make_date(
        extract(year FROM d)::integer,
        CASE WHEN m IN (12, 1, 2) THEN 1 WHEN m IN (3, 4, 5) THEN 4
             WHEN m IN (6, 7, 8) THEN 7 ELSE 10 END,
        15
    );
END;
$$""",
            su_owned=True,
        ),
        _f(
            s,
            "effective_day",
            "obs_time timestamp without time zone, extremum character varying, "
            "freq character varying DEFAULT ''::character varying",
            """RETURNS timestamp without time zone LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF extremum = 'max' AND freq = '12-hourly' AND extract(hour FROM obs_time) >= 12 THEN
        RETURN date_trunc('day', obs_time) + interval '1 day';
    END IF;
    RETURN date_trunc('day', obs_time);
END;
$$""",
            su_owned=True,
            identity="obs_time timestamp without time zone, extremum character varying, "
            "freq character varying",
        ),
        # SECURITY DEFINER without a pinned search_path, as upstream.
        _f(
            s,
            "closest_stns_within_threshold",
            "x numeric, y numeric, thres integer",
            """RETURNS TABLE(history_id integer, lat numeric, lon numeric, dist double precision)
LANGUAGE plpgsql SECURITY DEFINER ROWS 1000 AS $$
BEGIN
    RETURN QUERY EXECUTE
        'SELECT h.history_id, h.lat, h.lon,'
        ' st_distance(h.the_geom::geography, st_setsrid(st_makepoint($1, $2), 4326)::geography)'
        ' FROM meta_history AS h'
        ' WHERE st_dwithin(h.the_geom::geography,'
        ' st_setsrid(st_makepoint($1, $2), 4326)::geography, $3)'
        ' ORDER BY 4'
        USING x, y, thres;
END;
$$""",
            su_owned=True,
        ),
        _ts(s, "day"),
        _ts(s, "month"),
        # Upstream's bug, kept: the NATURAL JOIN also matches mod_time and mod_user.
        _f(
            s,
            "updatesdateedate",
            "",
            """RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meta_station SET
        min_obs_time = (
            SELECT min(obs_time) FROM obs_raw NATURAL JOIN meta_history
            WHERE meta_history.station_id = meta_station.station_id
        ),
        max_obs_time = (
            SELECT max(obs_time) FROM obs_raw NATURAL JOIN meta_history
            WHERE meta_history.station_id = meta_station.station_id
        );
END;
$$""",
            su_owned=True,
        ),
        _f(
            s,
            "getstationvariabletable",
            "station_id integer, climo boolean",
            """RETURNS text LANGUAGE plpython3u AS $$
tag = "climatology" if climo else "observation"
variables = plpy.execute(
    "SELECT v.vars_id, v.net_var_name::text AS name FROM meta_vars AS v"
    " JOIN meta_station AS st ON st.network_id = v.network_id"
    " WHERE st.station_id = %d AND %s = ANY (variable_tags(v)) ORDER BY v.vars_id"
    % (station_id, plpy.quote_literal(tag))
)
columns = "".join(
    ", max(CASE WHEN vars_id = %d THEN datum END) AS %s"
    % (v["vars_id"], plpy.quote_ident(v["name"]))
    for v in variables
)
wanted = ", ".join(str(v["vars_id"]) for v in variables) or "NULL"
return (
    "SELECT obs_time" + columns + " FROM obs_raw JOIN meta_history USING (history_id)"
    + " WHERE station_id = %d AND vars_id IN (%s) GROUP BY obs_time ORDER BY obs_time"
    % (station_id, wanted)
)
$$""",
            su_owned=True,
        ),
        _f(
            s,
            "query_one_station",
            "station_id integer",
            one_station.replace("{climo}", "false"),
            su_owned=True,
        ),
        _f(
            s,
            "query_one_station_climo",
            "station_id integer",
            one_station.replace("{climo}", "true"),
            su_owned=True,
        ),
        _f(
            s,
            "do_query_one_station",
            "station_id integer",
            """RETURNS refcursor LANGUAGE plpgsql AS $$
DECLARE
    result refcursor := 'result';
BEGIN
    OPEN result FOR EXECUTE query_one_station(station_id);
    RETURN result;
END;
$$""",
            su_owned=True,
        ),
    ]


def all_functions(s: str) -> list[RootFunction]:
    """All 21, in an order in which they can be created."""
    return [*hxtk_functions(s), *network_trigger_functions(s), *ordinary_functions(s)]
