-- CRMP-like overlay: turns a database at upstream PyCDS's head (revision f6d5a4c2e901, the root
-- of pycds's chain) into one that diverges from it the way the real CRMP database does
-- (reference: crmp-facts section 9; rules that accept what autogenerate still sees after
-- `upgrade head`: pycds/alembic/divergences.toml; catalogue: docs/divergences.md).
--
-- `pycds-db up --like crmp` upgrades to f6d5a4c2e901, applies this file in ONE transaction
-- with a superuser (or the SU role) connection, then runs `upgrade head`, as a real database
-- would. __SCHEMA__ is replaced by the pycds schema name. Cluster-wide objects (roles) are
-- created idempotently, since several databases share one cluster.
-- History tables (<table>_hx) were made by upstream with a LIKE-copy of their main table when
-- the main table already had these divergences, so they carry the same types, NOT NULLs,
-- defaults and CHECK names (crmp-facts 4.1); history triggers copy rows positionally, so the
-- types must agree for tracked writes to keep working.
-- Each block is tagged [D<n>] with the divergence numbers used in docs/divergences.md.
-- No percent signs in this file: the loader passes it through a DB-API driver.

-- Views and materialized views of the schema depend on columns whose types change below, and
-- PostgreSQL refuses to alter such columns. They are parked (definition, owner, grants,
-- indexes) and re-created at the end. In the real database upstream created them over the
-- production types from their source text; re-parsing PostgreSQL's rendering of a definition
-- adds casts that the source never had, an artefact no real database shows. So when the
-- loader provides the source texts (temporary table overlay_view_sources: relname,
-- definition), those are used; otherwise PostgreSQL's rendering.
CREATE TEMPORARY TABLE IF NOT EXISTS overlay_view_sources (
    relname name PRIMARY KEY,
    definition text NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE overlay_parked_views ON COMMIT DROP AS
SELECT c.oid, c.relname, c.relkind, pg_get_viewdef(c.oid) AS definition,
       pg_get_userbyid(c.relowner) AS owner,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
             WHERE i.indrelid = c.oid ORDER BY i.indexrelid) AS indexes,
       ARRAY(SELECT a.privilege_type || ' TO ' ||
                    CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
             FROM aclexplode(c.relacl) a) AS grants
FROM pg_class c
WHERE c.relnamespace = '__SCHEMA__'::regnamespace AND c.relkind IN ('v', 'm');
UPDATE overlay_parked_views p SET definition = s.definition
FROM overlay_view_sources s WHERE s.relname = p.relname;
DO $$
DECLARE
    parked record;
BEGIN
    FOR parked IN SELECT * FROM overlay_parked_views ORDER BY oid DESC LOOP
        EXECUTE 'DROP ' || CASE parked.relkind WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END
            || ' IF EXISTS __SCHEMA__.' || quote_ident(parked.relname);
    END LOOP;
END
$$;

-- [D1-D7] Sequence names (9.1). PostgreSQL keeps column defaults pointing at a renamed
-- sequence, so main-table defaults follow; the _hx tables were built by LIKE-copy and so also
-- carry nextval(<main sequence>) on the copied key column.
ALTER SEQUENCE __SCHEMA__.meta_history_history_id_seq RENAME TO history_id_seq;
ALTER SEQUENCE __SCHEMA__.meta_station_station_id_seq RENAME TO station_id_seq;
ALTER SEQUENCE __SCHEMA__.meta_vars_vars_id_seq RENAME TO vars_id_seq;
ALTER SEQUENCE __SCHEMA__.meta_network_network_id_seq RENAME TO network_id_seq;
ALTER SEQUENCE __SCHEMA__.meta_pcic_flag_pcic_flag_id_seq RENAME TO pcic_flag_id_seq;
ALTER SEQUENCE __SCHEMA__.meta_native_flag_native_flag_id_seq RENAME TO native_flag_id_seq;
ALTER SEQUENCE __SCHEMA__.obs_raw_obs_raw_id_seq RENAME TO obs_raw_id_seq;
ALTER TABLE __SCHEMA__.meta_history_hx
    ALTER COLUMN history_id SET DEFAULT nextval('__SCHEMA__.history_id_seq'::regclass);
ALTER TABLE __SCHEMA__.meta_station_hx
    ALTER COLUMN station_id SET DEFAULT nextval('__SCHEMA__.station_id_seq'::regclass);
ALTER TABLE __SCHEMA__.meta_vars_hx
    ALTER COLUMN vars_id SET DEFAULT nextval('__SCHEMA__.vars_id_seq'::regclass);
ALTER TABLE __SCHEMA__.meta_network_hx
    ALTER COLUMN network_id SET DEFAULT nextval('__SCHEMA__.network_id_seq'::regclass);
ALTER TABLE __SCHEMA__.obs_raw_hx
    ALTER COLUMN obs_raw_id SET DEFAULT nextval('__SCHEMA__.obs_raw_id_seq'::regclass);

-- [D8] obs_raw.mod_time has a server default in production (9.4); its history copy too.
ALTER TABLE __SCHEMA__.obs_raw ALTER COLUMN mod_time SET DEFAULT now();
ALTER TABLE __SCHEMA__.obs_raw_hx ALTER COLUMN mod_time SET DEFAULT now();

-- [D9] obs_raw.vars_id is NOT NULL in production (9.4); the LIKE-copy kept it on obs_raw_hx.
ALTER TABLE __SCHEMA__.obs_raw ALTER COLUMN vars_id SET NOT NULL;
ALTER TABLE __SCHEMA__.obs_raw_hx ALTER COLUMN vars_id SET NOT NULL;

-- [D10-D22] Bounded varchar lengths (9.2). Alembic does not flag a length against an
-- unbounded String, so these need no rule; they are here so the reference database is real.
ALTER TABLE __SCHEMA__.meta_network
    ALTER COLUMN network_name TYPE varchar(255),
    ALTER COLUMN description TYPE varchar(255),
    ALTER COLUMN col_hex TYPE varchar(7);
ALTER TABLE __SCHEMA__.meta_network_hx
    ALTER COLUMN network_name TYPE varchar(255),
    ALTER COLUMN description TYPE varchar(255),
    ALTER COLUMN col_hex TYPE varchar(7);
ALTER TABLE __SCHEMA__.meta_station ALTER COLUMN native_id TYPE varchar(255);
ALTER TABLE __SCHEMA__.meta_station_hx ALTER COLUMN native_id TYPE varchar(255);
ALTER TABLE __SCHEMA__.meta_history
    ALTER COLUMN station_name TYPE varchar(255),
    ALTER COLUMN province TYPE varchar(32),
    ALTER COLUMN country TYPE varchar(64);
ALTER TABLE __SCHEMA__.meta_history_hx
    ALTER COLUMN station_name TYPE varchar(255),
    ALTER COLUMN province TYPE varchar(32),
    ALTER COLUMN country TYPE varchar(64);
ALTER TABLE __SCHEMA__.meta_vars
    ALTER COLUMN unit TYPE varchar(64),
    ALTER COLUMN standard_name TYPE varchar(64),
    ALTER COLUMN cell_method TYPE varchar(64),
    ALTER COLUMN long_description TYPE varchar(256),
    ALTER COLUMN display_name TYPE varchar(256),
    ALTER COLUMN short_name TYPE varchar(256);
ALTER TABLE __SCHEMA__.meta_vars_hx
    ALTER COLUMN unit TYPE varchar(64),
    ALTER COLUMN standard_name TYPE varchar(64),
    ALTER COLUMN cell_method TYPE varchar(64),
    ALTER COLUMN long_description TYPE varchar(256),
    ALTER COLUMN display_name TYPE varchar(256),
    ALTER COLUMN short_name TYPE varchar(256);

-- [D23-D25] numeric / real instead of double precision (9.2).
ALTER TABLE __SCHEMA__.meta_history ALTER COLUMN elev TYPE numeric;
ALTER TABLE __SCHEMA__.meta_history_hx ALTER COLUMN elev TYPE numeric;
ALTER TABLE __SCHEMA__.meta_vars ALTER COLUMN "precision" TYPE numeric;
ALTER TABLE __SCHEMA__.meta_vars_hx ALTER COLUMN "precision" TYPE numeric;
ALTER TABLE __SCHEMA__.obs_raw ALTER COLUMN datum TYPE real;
ALTER TABLE __SCHEMA__.obs_raw_hx ALTER COLUMN datum TYPE real;

-- [D26] meta_history.freq is the enum public.timescale (9.2, 9.3); the other legacy types of
-- public come along (they are outside the managed schema and never compared).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'timescale'
                   AND typnamespace = 'public'::regnamespace) THEN
        CREATE TYPE public.timescale AS ENUM (
            '1-minute', '2-minute', '5-minute', '15-minute', '30-minute', '1-hourly', '3-hourly',
            '6-hourly', '12-hourly', 'daily', 'monthly', 'yearly', 'other', 'irregular');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'frequency'
                   AND typnamespace = 'public'::regnamespace) THEN
        CREATE TYPE public.frequency AS ENUM ('monthly', 'daily', 'hourly', 'irregular');
    END IF;
    -- Composite types of the legacy scripts; monthly_ts shares its name with the function
    -- __SCHEMA__.monthly_ts (another schema, another kind). The facts do not give the type
    -- of the first fields: timestamps here.
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'composite'
                   AND typnamespace = 'public'::regnamespace) THEN
        CREATE TYPE public.composite AS ("time" timestamp, val real);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'monthly_ts'
                   AND typnamespace = 'public'::regnamespace) THEN
        CREATE TYPE public.monthly_ts AS (month timestamp, datum real);
    END IF;
END
$$;
ALTER TABLE __SCHEMA__.meta_history
    ALTER COLUMN freq TYPE public.timescale USING freq::public.timescale;
ALTER TABLE __SCHEMA__.meta_history_hx
    ALTER COLUMN freq TYPE public.timescale USING freq::public.timescale;

-- [D27-D32] Foreign keys (9.5): legacy names, ON UPDATE CASCADE on four of them.
ALTER TABLE __SCHEMA__.meta_history
    DROP CONSTRAINT meta_history_station_id_fkey,
    ADD CONSTRAINT meta_history_station_id_fk FOREIGN KEY (station_id)
        REFERENCES __SCHEMA__.meta_station (station_id) ON UPDATE CASCADE;
ALTER TABLE __SCHEMA__.meta_history RENAME CONSTRAINT meta_history_sensor_id_fkey TO sensor_id;
ALTER TABLE __SCHEMA__.obs_raw RENAME CONSTRAINT obs_raw_history_id_fkey TO hist_id_fk;
ALTER TABLE __SCHEMA__.meta_network
    DROP CONSTRAINT meta_network_contact_id_fkey,
    ADD CONSTRAINT meta_network_contact_id_fkey FOREIGN KEY (contact_id)
        REFERENCES __SCHEMA__.meta_contact (contact_id) ON UPDATE CASCADE;
ALTER TABLE __SCHEMA__.meta_station
    DROP CONSTRAINT meta_station_network_id_fkey,
    ADD CONSTRAINT meta_station_network_id_fkey FOREIGN KEY (network_id)
        REFERENCES __SCHEMA__.meta_network (network_id) ON UPDATE CASCADE;
ALTER TABLE __SCHEMA__.meta_vars
    DROP CONSTRAINT meta_vars_network_id_fkey,
    ADD CONSTRAINT meta_vars_network_id_fkey FOREIGN KEY (network_id)
        REFERENCES __SCHEMA__.meta_network (network_id) ON UPDATE CASCADE;

-- [D33] time_place_variable_unique has another column order in production (9.6).
ALTER TABLE __SCHEMA__.obs_raw
    DROP CONSTRAINT time_place_variable_unique,
    ADD CONSTRAINT time_place_variable_unique UNIQUE (history_id, vars_id, obs_time);

-- [D34-D39] The newline CHECKs are named ck_<column>_no_newlines in production (9.6).
ALTER TABLE __SCHEMA__.meta_vars RENAME CONSTRAINT unit_nolinebreak TO ck_unit_no_newlines;
ALTER TABLE __SCHEMA__.meta_vars
    RENAME CONSTRAINT standard_name_nolinebreak TO ck_standard_name_no_newlines;
ALTER TABLE __SCHEMA__.meta_vars
    RENAME CONSTRAINT cell_method_nolinebreak TO ck_cell_method_no_newlines;
ALTER TABLE __SCHEMA__.meta_vars
    RENAME CONSTRAINT display_name_nolinebreak TO ck_display_name_no_newlines;
ALTER TABLE __SCHEMA__.meta_vars
    RENAME CONSTRAINT short_name_nolinebreak TO ck_short_name_no_newlines;
ALTER TABLE __SCHEMA__.meta_vars
    RENAME CONSTRAINT long_description_nolinebreak TO ck_long_description_no_newlines;
-- meta_vars_hx got its CHECKs by LIKE-copy (4.1), so it has the production names too.
DO $$
DECLARE
    col text;
BEGIN
    FOREACH col IN ARRAY ARRAY['unit', 'standard_name', 'cell_method', 'display_name',
                               'short_name', 'long_description'] LOOP
        EXECUTE 'ALTER TABLE __SCHEMA__.meta_vars_hx RENAME CONSTRAINT '
            || quote_ident(col || '_nolinebreak') || ' TO '
            || quote_ident('ck_' || col || '_no_newlines');
    END LOOP;
END
$$;

-- [D40-D43] Indexes (9.7): another obs_raw_comp_idx, two hand-made indexes, and the spatial
-- index. Upstream's "create missing indexes" revision made idx_meta_history_the_geom a btree
-- only where it was absent; CRMP had it (the ORM's indexes were copied from CRMP in 2019,
-- where GeoAlchemy had made it GiST), so CRMP keeps a GiST index.
DROP INDEX __SCHEMA__.obs_raw_comp_idx;
CREATE INDEX obs_raw_comp_idx ON __SCHEMA__.obs_raw (obs_raw_id, obs_time, vars_id, history_id);
CREATE INDEX ix___SCHEMA___obs_raw_vars_id ON __SCHEMA__.obs_raw (vars_id);
CREATE INDEX ix___SCHEMA___obs_raw_mod_user ON __SCHEMA__.obs_raw (mod_user);
DROP INDEX __SCHEMA__.idx_meta_history_the_geom;
CREATE INDEX idx_meta_history_the_geom ON __SCHEMA__.meta_history USING gist (the_geom);

-- [D44-D47] Legacy tables (9.8).
CREATE TABLE __SCHEMA__.meta_network_geoserver (
    network_id integer PRIMARY KEY,
    network_name varchar(255),
    col_hex varchar(7)
);
CREATE TABLE __SCHEMA__.stats_station_var (
    station_id integer NOT NULL,
    vars_id integer NOT NULL,
    min_obs_time timestamp,
    max_obs_time timestamp,
    PRIMARY KEY (station_id, vars_id)
);
CREATE TABLE __SCHEMA__.meta_alias (
    alias_id serial PRIMARY KEY,
    vars_id integer REFERENCES __SCHEMA__.meta_vars (vars_id),
    alias varchar(64) NOT NULL
);
CREATE TABLE __SCHEMA__.meta_climo_attrs (
    vars_id integer NOT NULL,
    station_id integer NOT NULL,
    month integer NOT NULL,
    wmo_code varchar(1),
    adjusted boolean,
    PRIMARY KEY (vars_id, station_id, month)
);
CREATE INDEX meta_climo_attrs_idx ON __SCHEMA__.meta_climo_attrs (station_id);

-- [D48-D52] Legacy views and functions (9.9): aggregation views and helper functions that
-- CRMP's own scripts maintain outside pycds. Joins are explicit (crmp-facts 7, item 2).
CREATE VIEW __SCHEMA__.daily_agg AS
    SELECT history_id, vars_id, date_trunc('day', obs_time) AS obs_day,
           avg(datum) AS datum, count(*) AS n
    FROM __SCHEMA__.obs_raw GROUP BY history_id, vars_id, date_trunc('day', obs_time);
CREATE VIEW __SCHEMA__.monthly_agg AS
    SELECT history_id, vars_id, date_trunc('month', obs_time) AS obs_month,
           avg(datum) AS datum, count(*) AS n
    FROM __SCHEMA__.obs_raw GROUP BY history_id, vars_id, date_trunc('month', obs_time);
CREATE VIEW __SCHEMA__.hourly_view AS
    SELECT o.history_id, v.net_var_name, date_trunc('hour', o.obs_time) AS obs_hour,
           avg(o.datum) AS datum
    FROM __SCHEMA__.obs_raw o JOIN __SCHEMA__.meta_vars v ON v.vars_id = o.vars_id
    GROUP BY o.history_id, v.net_var_name, date_trunc('hour', o.obs_time);
CREATE VIEW __SCHEMA__.daily_view AS
    SELECT o.history_id, v.net_var_name, date_trunc('day', o.obs_time) AS obs_day,
           avg(o.datum) AS datum
    FROM __SCHEMA__.obs_raw o JOIN __SCHEMA__.meta_vars v ON v.vars_id = o.vars_id
    GROUP BY o.history_id, v.net_var_name, date_trunc('day', o.obs_time);
-- Derived daily and monthly temperatures of three networks (MoF, ENV-AQN, FRBC).
DO $$
DECLARE
    network text;
    prefix text;
BEGIN
    FOREACH network IN ARRAY ARRAY['MoF', 'ENV-AQN', 'FRBC'] LOOP
        prefix := lower(replace(network, '-', '_'));
        EXECUTE 'CREATE VIEW __SCHEMA__.' || quote_ident(prefix || '_derived_daily_temp')
            || ' AS SELECT o.history_id, date_trunc(''day'', o.obs_time) AS obs_day,'
            || ' max(o.datum) AS max_temp, min(o.datum) AS min_temp'
            || ' FROM __SCHEMA__.obs_raw o'
            || ' JOIN __SCHEMA__.meta_vars v ON v.vars_id = o.vars_id'
            || ' JOIN __SCHEMA__.meta_network n ON n.network_id = v.network_id'
            || ' WHERE n.network_name = ' || quote_literal(network)
            || ' AND v.standard_name = ''air_temperature'''
            || ' GROUP BY o.history_id, date_trunc(''day'', o.obs_time)';
        EXECUTE 'CREATE VIEW __SCHEMA__.' || quote_ident(prefix || '_derived_monthly_temp')
            || ' AS SELECT history_id, date_trunc(''month'', obs_day) AS obs_month,'
            || ' avg(max_temp) AS max_temp, avg(min_temp) AS min_temp FROM __SCHEMA__.'
            || quote_ident(prefix || '_derived_daily_temp')
            || ' GROUP BY history_id, date_trunc(''month'', obs_day)';
    END LOOP;
END
$$;
CREATE VIEW __SCHEMA__.all_stns_dist_v AS
    SELECT s.station_id, s.native_id, h.history_id, h.lon, h.lat
    FROM __SCHEMA__.meta_station s JOIN __SCHEMA__.meta_history h ON h.station_id = s.station_id;
CREATE FUNCTION __SCHEMA__.make_point(lon numeric, lat numeric) RETURNS geometry
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) $$;
CREATE FUNCTION __SCHEMA__.station_distance(a integer, b integer) RETURNS double precision
    LANGUAGE sql STABLE
    AS $$
        SELECT public.ST_Distance(ha.the_geom::public.geography, hb.the_geom::public.geography)
        FROM __SCHEMA__.meta_history ha, __SCHEMA__.meta_history hb
        WHERE ha.history_id = a AND hb.history_id = b
    $$;

-- [D53] The moddatetime extension (9.10). Production obs_raw had the trigger update_mod_time
-- calling public.moddatetime; upstream's obs_raw history-tracking revision (8c05da87cb79,
-- below f6d5a4c2e901) dropped the trigger, so a database at f6d5a4c2e901 no longer has it.
-- The contrib function stays installed in public, outside the managed schema.
CREATE EXTENSION IF NOT EXISTS moddatetime WITH SCHEMA public;

-- [D54-D56] Roles and grants (9.11): group roles chained, task roles, base-table grants that
-- are managed outside pycds (the table grants are suppressed by the crmp-grants-* rules).
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['crmp', 'crmprtd', 'httpd', 'httpd_meta', 'httpd_osm',
                                     'pcic_meta', 'viewer', 'inspector', 'steward'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE 'CREATE ROLE ' || quote_ident(role_name) || ' NOLOGIN';
        END IF;
    END LOOP;
    -- The web role's settings, in this database only (other databases share the cluster).
    EXECUTE 'ALTER ROLE httpd IN DATABASE ' || quote_ident(current_database())
        || ' SET statement_timeout = ''45s''';
    EXECUTE 'ALTER ROLE httpd IN DATABASE ' || quote_ident(current_database())
        || ' SET search_path = "$user", __SCHEMA__, osm, public';
END
$$;
GRANT viewer TO inspector;
GRANT inspector TO steward;
GRANT USAGE ON SCHEMA __SCHEMA__ TO crmprtd, httpd, httpd_meta, pcic_meta;
GRANT SELECT, INSERT ON __SCHEMA__.obs_raw TO crmprtd;
GRANT SELECT, INSERT, UPDATE ON __SCHEMA__.meta_history, __SCHEMA__.meta_station TO crmprtd;
GRANT SELECT ON __SCHEMA__.meta_network, __SCHEMA__.meta_vars TO crmprtd;
GRANT USAGE ON SEQUENCE __SCHEMA__.obs_raw_id_seq, __SCHEMA__.history_id_seq,
    __SCHEMA__.station_id_seq TO crmprtd;
GRANT ALL ON __SCHEMA__.meta_network, __SCHEMA__.meta_station, __SCHEMA__.meta_history,
    __SCHEMA__.meta_vars TO inspector;
GRANT INSERT ON __SCHEMA__.obs_raw TO inspector;
GRANT SELECT ON __SCHEMA__.meta_network_geoserver, __SCHEMA__.stats_station_var,
    __SCHEMA__.meta_alias TO viewer;

-- Re-create the parked views and materialized views, in their original creation order.
DO $$
DECLARE
    parked record;
    statement text;
    kind text;
BEGIN
    FOR parked IN SELECT * FROM overlay_parked_views ORDER BY oid LOOP
        kind := CASE parked.relkind WHEN 'v' THEN 'VIEW' ELSE 'MATERIALIZED VIEW' END;
        EXECUTE 'CREATE ' || kind || ' __SCHEMA__.' || quote_ident(parked.relname)
            || ' AS ' || parked.definition;
        EXECUTE 'ALTER ' || kind || ' __SCHEMA__.' || quote_ident(parked.relname)
            || ' OWNER TO ' || quote_ident(parked.owner);
        FOREACH statement IN ARRAY parked.indexes LOOP
            EXECUTE statement;
        END LOOP;
        FOREACH statement IN ARRAY parked.grants LOOP
            EXECUTE 'GRANT ' || split_part(statement, ' TO ', 1) || ' ON __SCHEMA__.'
                || quote_ident(parked.relname) || ' TO ' || split_part(statement, ' TO ', 2);
        END LOOP;
    END LOOP;
END
$$;
