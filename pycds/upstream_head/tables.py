"""The tables of upstream's head: 13 base tables, 5 history tables, as DDL.

History tables are built the way upstream built them: a LIKE-copy of the tracked table
(every property but indexes, so the copied key keeps ``nextval`` of the main sequence and
meta_vars_hx keeps the CHECKs), then ``deleted``, an identity key, the foreign history ids
and the ``ix_<schema>_<table>_<column>`` indexes. meta_network_hx's key is named
``meta_network_hx_pkey1`` (upstream rebuilt that table while the old one held ``_pkey``).
"""

from __future__ import annotations

# The tracked tables at upstream's head -> their foreign keys to other tracked tables, as
# (table, column) pairs, in the order of the ``<table>_hx_id`` columns of the hx table.
# Frozen here (pycds.tracking follows the head).
HX_FOREIGN_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "meta_network": (),
    "meta_station": (("meta_network", "network_id"),),
    "meta_history": (("meta_station", "station_id"),),
    "meta_vars": (("meta_network", "network_id"),),
    "obs_raw": (("meta_history", "history_id"), ("meta_vars", "vars_id")),
}
HISTORY_TRACKED: tuple[str, ...] = tuple(HX_FOREIGN_KEYS)


def hx_table_name(table: str) -> str:
    return f"{table}_hx"


def hx_id_name(table: str) -> str:
    return f"{table}_hx_id"


_MOD = (
    "mod_time timestamp NOT NULL DEFAULT now(), mod_user varchar(64) NOT NULL DEFAULT CURRENT_USER"
)


def _nolinebreak(column: str) -> str:
    return f"CONSTRAINT {column}_nolinebreak CHECK ({column} !~ E'[\\r\\n]')"


def base_table_statements(s: str) -> list[str]:
    """CREATE TABLE / INDEX statements of the 13 base tables, in dependency order."""
    nolinebreaks = ", ".join(
        _nolinebreak(c)
        for c in (
            "unit",
            "standard_name",
            "cell_method",
            "long_description",
            "display_name",
            "short_name",
        )
    )
    return [
        f"""CREATE TABLE {s}.meta_contact (
    contact_id serial NOT NULL, name varchar, title varchar, organization varchar,
    email varchar, phone varchar,
    CONSTRAINT meta_contact_pkey PRIMARY KEY (contact_id))""",
        f"""CREATE TABLE {s}.meta_pcic_flag (
    pcic_flag_id serial NOT NULL, flag_name varchar, description varchar, discard boolean,
    CONSTRAINT meta_pcic_flag_pkey PRIMARY KEY (pcic_flag_id))""",
        f"""CREATE TABLE {s}.meta_sensor (
    sensor_id serial NOT NULL, name varchar(255),
    CONSTRAINT meta_sensor_pkey PRIMARY KEY (sensor_id))""",
        f"""CREATE TABLE {s}.meta_network (
    network_id serial NOT NULL, network_name varchar, description varchar,
    virtual varchar(255), publish boolean, col_hex varchar, contact_id integer, {_MOD},
    network_display_name varchar,
    CONSTRAINT meta_network_pkey PRIMARY KEY (network_id),
    CONSTRAINT meta_network_contact_id_fkey FOREIGN KEY (contact_id)
        REFERENCES {s}.meta_contact (contact_id),
    CONSTRAINT uq_meta_network_network_display_name UNIQUE (network_display_name))""",
        f"""CREATE TABLE {s}.meta_native_flag (
    native_flag_id serial NOT NULL, flag_name varchar, description varchar,
    network_id integer, value varchar, discard boolean,
    CONSTRAINT meta_native_flag_pkey PRIMARY KEY (native_flag_id),
    CONSTRAINT meta_native_flag_network_id_fkey FOREIGN KEY (network_id)
        REFERENCES {s}.meta_network (network_id),
    CONSTRAINT meta_native_flag_unique UNIQUE (network_id, value))""",
        f"""CREATE TABLE {s}.meta_station (
    station_id serial NOT NULL, native_id varchar, network_id integer,
    min_obs_time timestamp, max_obs_time timestamp, publish boolean NOT NULL DEFAULT true,
    {_MOD},
    CONSTRAINT meta_station_pkey PRIMARY KEY (station_id),
    CONSTRAINT meta_station_network_id_fkey FOREIGN KEY (network_id)
        REFERENCES {s}.meta_network (network_id))""",
        f"CREATE INDEX fki_meta_station_network_id_fkey ON {s}.meta_station (network_id)",
        f"""CREATE TABLE {s}.meta_vars (
    vars_id serial NOT NULL, net_var_name public.citext, unit varchar,
    standard_name varchar NOT NULL, cell_method varchar NOT NULL,
    precision double precision, long_description varchar, display_name varchar NOT NULL,
    short_name varchar, network_id integer, {_MOD},
    CONSTRAINT meta_vars_pkey PRIMARY KEY (vars_id),
    CONSTRAINT meta_vars_network_id_fkey FOREIGN KEY (network_id)
        REFERENCES {s}.meta_network (network_id),
    CONSTRAINT network_variable_name_unique UNIQUE (network_id, net_var_name),
    CONSTRAINT ck_net_var_name_valid_identifier
        CHECK (net_var_name OPERATOR(public.~) '^[a-zA-Z_][a-zA-Z0-9_$]*$'::public.citext),
    {nolinebreaks})""",
        f"CREATE INDEX fki_meta_vars_network_id_fkey ON {s}.meta_vars (network_id)",
        f"""CREATE TABLE {s}.meta_history (
    history_id serial NOT NULL, station_id integer, station_name varchar, lon numeric,
    lat numeric, elev double precision, sdate date, edate date, tz_offset interval,
    province varchar, country varchar, comments varchar(255), freq varchar,
    sensor_id integer, the_geom public.geometry(Geometry, 4326), {_MOD},
    CONSTRAINT meta_history_pkey PRIMARY KEY (history_id),
    CONSTRAINT meta_history_sensor_id_fkey FOREIGN KEY (sensor_id)
        REFERENCES {s}.meta_sensor (sensor_id),
    CONSTRAINT meta_history_station_id_fkey FOREIGN KEY (station_id)
        REFERENCES {s}.meta_station (station_id))""",
        f"CREATE INDEX fki_meta_history_station_id_fk ON {s}.meta_history (station_id)",
        # Upstream re-created this index from its name and column only: a btree on geometry.
        f"CREATE INDEX idx_meta_history_the_geom ON {s}.meta_history USING btree (the_geom)",
        f"CREATE INDEX meta_history_freq_idx ON {s}.meta_history (freq)",
        f"""CREATE TABLE {s}.obs_derived_values (
    obs_derived_value_id serial NOT NULL, value_time timestamp, mod_time timestamp NOT NULL,
    datum double precision, vars_id integer, history_id integer,
    CONSTRAINT obs_derived_values_pkey PRIMARY KEY (obs_derived_value_id),
    CONSTRAINT obs_derived_value_time_place_variable_unique
        UNIQUE (value_time, history_id, vars_id),
    CONSTRAINT obs_derived_values_history_id_fkey FOREIGN KEY (history_id)
        REFERENCES {s}.meta_history (history_id),
    CONSTRAINT obs_derived_values_vars_id_fkey FOREIGN KEY (vars_id)
        REFERENCES {s}.meta_vars (vars_id))""",
        f"""CREATE TABLE {s}.obs_raw (
    obs_raw_id bigserial NOT NULL, obs_time timestamp, mod_time timestamp NOT NULL,
    datum double precision, vars_id integer, history_id integer,
    mod_user varchar(64) NOT NULL DEFAULT CURRENT_USER,
    CONSTRAINT obs_raw_pkey PRIMARY KEY (obs_raw_id),
    CONSTRAINT obs_raw_history_id_fkey FOREIGN KEY (history_id)
        REFERENCES {s}.meta_history (history_id),
    CONSTRAINT obs_raw_vars_id_fkey FOREIGN KEY (vars_id) REFERENCES {s}.meta_vars (vars_id),
    CONSTRAINT time_place_variable_unique UNIQUE (obs_time, history_id, vars_id))""",
        f"CREATE INDEX mod_time_idx ON {s}.obs_raw (mod_time)",
        f"CREATE INDEX obs_raw_comp_idx ON {s}.obs_raw (obs_time, vars_id, history_id)",
        f"CREATE INDEX obs_raw_history_id_idx ON {s}.obs_raw (history_id)",
        f"CREATE INDEX obs_raw_history_obs_time_idx ON {s}.obs_raw (history_id, obs_time)",
        f"CREATE INDEX obs_raw_id_idx ON {s}.obs_raw (obs_raw_id)",
        f"""CREATE TABLE {s}.obs_raw_native_flags (
    obs_raw_id bigint NOT NULL, native_flag_id integer NOT NULL,
    CONSTRAINT obs_raw_native_flags_pkey PRIMARY KEY (obs_raw_id, native_flag_id),
    CONSTRAINT obs_raw_native_flags_native_flag_id_fkey FOREIGN KEY (native_flag_id)
        REFERENCES {s}.meta_native_flag (native_flag_id),
    CONSTRAINT obs_raw_native_flags_obs_raw_id_fkey FOREIGN KEY (obs_raw_id)
        REFERENCES {s}.obs_raw (obs_raw_id))""",
        f"CREATE INDEX flag_index ON {s}.obs_raw_native_flags (obs_raw_id)",
        f"""CREATE TABLE {s}.obs_raw_pcic_flags (
    obs_raw_id bigint NOT NULL, pcic_flag_id integer NOT NULL,
    CONSTRAINT obs_raw_pcic_flags_pkey PRIMARY KEY (obs_raw_id, pcic_flag_id),
    CONSTRAINT obs_raw_pcic_flags_obs_raw_id_fkey FOREIGN KEY (obs_raw_id)
        REFERENCES {s}.obs_raw (obs_raw_id),
    CONSTRAINT obs_raw_pcic_flags_pcic_flag_id_fkey FOREIGN KEY (pcic_flag_id)
        REFERENCES {s}.meta_pcic_flag (pcic_flag_id))""",
        f"CREATE INDEX pcic_flag_index ON {s}.obs_raw_pcic_flags (obs_raw_id)",
        # An integer key referencing a bigint column (fixed by a later revision).
        f"""CREATE TABLE {s}.time_bounds (
    obs_raw_id integer NOT NULL, start timestamp, "end" timestamp,
    CONSTRAINT time_bounds_pkey PRIMARY KEY (obs_raw_id),
    CONSTRAINT time_bounds_obs_raw_id_fkey FOREIGN KEY (obs_raw_id)
        REFERENCES {s}.obs_raw (obs_raw_id))""",
    ]


BASE_TABLES = (
    "meta_contact",
    "meta_pcic_flag",
    "meta_sensor",
    "meta_network",
    "meta_native_flag",
    "meta_station",
    "meta_vars",
    "meta_history",
    "obs_derived_values",
    "obs_raw",
    "obs_raw_native_flags",
    "obs_raw_pcic_flags",
    "time_bounds",
)


def hx_pkey_name(table: str) -> str:
    """The name upstream's head gives the primary key of ``<table>_hx``."""
    hx = hx_table_name(table)
    return f"{hx}_pkey1" if table == "meta_network" else f"{hx}_pkey"


def hx_indexed_columns(table: str) -> list[str]:
    """The columns of ``<table>_hx`` that carry an ``ix_<schema>_<hx>_<column>`` index."""
    foreign = HX_FOREIGN_KEYS[table]
    return [
        KEY_OF[table],
        "mod_time",
        "mod_user",
        *(column for _, column in foreign),
        *(hx_id_name(t) for t, _ in foreign),
    ]


# Each tracked table's key column, copied as a plain column into its history table.
KEY_OF = {
    "meta_network": "network_id",
    "meta_station": "station_id",
    "meta_history": "history_id",
    "meta_vars": "vars_id",
    "obs_raw": "obs_raw_id",
}


def upstream_hx_index_name(s: str, table: str, column: str) -> str:
    return f"ix_{s}_{hx_table_name(table)}_{column}"


def hx_trigger_argument(table: str) -> str:
    """Upstream's text-array argument of ``t100_add_foreign_hx_keys`` (with its spaces)."""
    pairs = ", ".join(f"{{{t}, {c}}}" for t, c in HX_FOREIGN_KEYS[table])
    return f"{{{pairs}}}"


def hx_table_statements(s: str) -> list[str]:
    """CREATE statements of the 5 history tables and their indexes (no triggers, no grants)."""
    statements: list[str] = []
    for table in HISTORY_TRACKED:
        hx = hx_table_name(table)
        statements.append(
            f"CREATE TABLE {s}.{hx} (LIKE {s}.{table} INCLUDING ALL EXCLUDING INDEXES)"
        )
        additions = [
            "ADD COLUMN deleted boolean DEFAULT false",
            f"ADD COLUMN {hx_id_name(table)} integer GENERATED BY DEFAULT AS IDENTITY",
            f"ADD CONSTRAINT {hx_pkey_name(table)} PRIMARY KEY ({hx_id_name(table)})",
        ]
        for foreign, _ in HX_FOREIGN_KEYS[table]:
            column = hx_id_name(foreign)
            additions += [
                f"ADD COLUMN {column} integer",
                f"ADD CONSTRAINT {hx}_{column}_fkey FOREIGN KEY ({column}) "
                f"REFERENCES {s}.{hx_table_name(foreign)} ({column})",
            ]
        statements.append(f"ALTER TABLE {s}.{hx} " + ", ".join(additions))
        statements += [
            f"CREATE INDEX {upstream_hx_index_name(s, table, c)} ON {s}.{hx} ({c})"
            for c in hx_indexed_columns(table)
        ]
    return statements


def hx_trigger_sql(s: str, table: str) -> str:
    """Upstream's ``t100_add_foreign_hx_keys`` on ``<table>_hx`` (meta_network_hx included)."""
    hx = hx_table_name(table)
    argument = f"'{hx_trigger_argument(table)}'" if HX_FOREIGN_KEYS[table] else ""
    return (
        f"CREATE TRIGGER t100_add_foreign_hx_keys BEFORE INSERT ON {s}.{hx} "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.hxtk_add_foreign_hx_keys({argument})"
    )


def trigger_statements(s: str) -> list[str]:
    """The 17 triggers: display-name (2), tracked tables (2 x 5), history tables (5)."""
    statements = [
        f"CREATE TRIGGER set_network_display_name_default_trigger BEFORE INSERT "
        f"ON {s}.meta_network FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.set_network_display_name_default()",
        f"CREATE TRIGGER prevent_network_name_modification_trigger BEFORE UPDATE "
        f"ON {s}.meta_network FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.prevent_network_name_modification()",
    ]
    for table in HISTORY_TRACKED:
        statements += [
            f"CREATE TRIGGER t100_primary_control_hx_cols BEFORE INSERT OR DELETE OR UPDATE "
            f"ON {s}.{table} FOR EACH ROW EXECUTE FUNCTION {s}.hxtk_primary_control_hx_cols()",
            f"CREATE TRIGGER t100_primary_ops_to_hx AFTER INSERT OR DELETE OR UPDATE "
            f"ON {s}.{table} FOR EACH ROW EXECUTE FUNCTION {s}.hxtk_primary_ops_to_hx()",
            hx_trigger_sql(s, table),
        ]
    return statements


def drop_trigger_statements(s: str) -> list[str]:
    statements = [
        f"DROP TRIGGER set_network_display_name_default_trigger ON {s}.meta_network",
        f"DROP TRIGGER prevent_network_name_modification_trigger ON {s}.meta_network",
    ]
    for table in HISTORY_TRACKED:
        statements += [
            f"DROP TRIGGER t100_primary_control_hx_cols ON {s}.{table}",
            f"DROP TRIGGER t100_primary_ops_to_hx ON {s}.{table}",
            f"DROP TRIGGER t100_add_foreign_hx_keys ON {s}.{hx_table_name(table)}",
        ]
    return statements
