"""History tracking ("hxtk"): the trigger functions and triggers that fill the ``_hx`` tables.

Each tracked table ``T`` has a history table ``T_hx`` with every column of ``T``, then
``deleted``, then ``T_hx_id``, then one ``F_hx_id`` per foreign key of ``T`` to another
tracked table ``F``. Three triggers keep it current:

- ``t100_primary_control_hx_cols`` (``T``, BEFORE each row): stamps ``mod_time`` and
  ``mod_user`` so that clients cannot forge them;
- ``t100_primary_ops_to_hx`` (``T``, AFTER each row): appends the new row to ``T_hx``; on
  DELETE appends the old row, freshly stamped, with ``deleted = true``. Columns are copied
  by name (upstream copies by position), so a column added, dropped, renamed or retyped on
  both tables keeps tracking working whatever the physical column order;
- ``t100_add_foreign_hx_keys`` (``T_hx``, BEFORE INSERT): fills each ``F_hx_id`` with the
  latest history id of the referenced row.

Unlike the upstream implementation, every name is schema-qualified: the trigger functions
address tables through ``TG_TABLE_SCHEMA`` and call their helpers by qualified name, so a
connection with PostgreSQL's default ``search_path`` can write to tracked tables. The
foreign history id is assigned with ``jsonb_populate_record`` rather than hstore, so the
hstore extension is not needed.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_trigger import PGTrigger

from pycds.replaceables._schema import resolve_schema
from pycds.tracking import HX_FOREIGN_KEYS


def hx_foreign_keys_argument(table: str) -> str:
    """The trigger argument for ``<table>_hx``: a text-array literal of (table, column) pairs."""
    pairs = (f"{{{foreign},{column}}}" for foreign, column in HX_FOREIGN_KEYS[table])
    return "{" + ",".join(pairs) + "}"


def history_functions(schema: str | None = None) -> list[PGFunction]:
    """The six hxtk functions: three name helpers, then the three trigger functions."""
    s = resolve_schema(schema)
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
            definition=f"""RETURNS trigger LANGUAGE plpgsql PARALLEL UNSAFE AS $$
DECLARE
    hx_row_source record;
    is_deletion boolean := TG_OP = 'DELETE';
    hx_table text := {s}.hxtk_hx_table_name(TG_TABLE_NAME);
    shared_columns text;
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
    -- Copy by name, not by position: every column the tracked table shares with its hx
    -- table, wherever each one sits, so that adding, dropping, renaming or retyping a
    -- column (on both tables) never shifts values into the wrong hx column. The hx id
    -- takes its identity default; the foreign hx ids are filled by
    -- t100_add_foreign_hx_keys.
    SELECT string_agg(quote_ident(main.attname), ', ' ORDER BY main.attnum)
        INTO shared_columns
        FROM pg_catalog.pg_attribute AS main
        JOIN pg_catalog.pg_attribute AS hx ON hx.attname = main.attname
        WHERE main.attrelid = TG_RELID
            AND main.attnum > 0
            AND NOT main.attisdropped
            AND hx.attrelid = format('%I.%I', TG_TABLE_SCHEMA, hx_table)::regclass
            AND hx.attnum > 0
            AND NOT hx.attisdropped
            AND hx.attname <> 'deleted';
    EXECUTE format(
        'INSERT INTO %I.%I (%s, deleted) SELECT %s, $2 FROM (SELECT ($1).*) AS source',
        TG_TABLE_SCHEMA,
        hx_table,
        shared_columns,
        shared_columns
    ) USING hx_row_source, is_deletion;
    RETURN NULL;
END;
$$""",
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


def history_triggers(schema: str | None = None) -> list[PGTrigger]:
    """Two triggers per tracked table, one per hx table that has foreign hx ids."""
    s = resolve_schema(schema)
    triggers: list[PGTrigger] = []
    for table in HX_FOREIGN_KEYS:
        triggers.append(
            PGTrigger(
                schema=s,
                signature="t100_primary_control_hx_cols",
                on_entity=f"{s}.{table}",
                definition=(
                    f"BEFORE INSERT OR DELETE OR UPDATE ON {s}.{table} FOR EACH ROW "
                    f"EXECUTE FUNCTION {s}.hxtk_primary_control_hx_cols()"
                ),
            )
        )
        triggers.append(
            PGTrigger(
                schema=s,
                signature="t100_primary_ops_to_hx",
                on_entity=f"{s}.{table}",
                definition=(
                    f"AFTER INSERT OR DELETE OR UPDATE ON {s}.{table} FOR EACH ROW "
                    f"EXECUTE FUNCTION {s}.hxtk_primary_ops_to_hx()"
                ),
            )
        )
    for table in HX_FOREIGN_KEYS:
        # meta_network_hx has no foreign hx ids, hence no trigger.
        if not HX_FOREIGN_KEYS[table]:
            continue
        hx = f"{table}_hx"
        triggers.append(
            PGTrigger(
                schema=s,
                signature="t100_add_foreign_hx_keys",
                on_entity=f"{s}.{hx}",
                definition=(
                    f"BEFORE INSERT ON {s}.{hx} FOR EACH ROW "
                    f"EXECUTE FUNCTION {s}.hxtk_add_foreign_hx_keys"
                    f"('{hx_foreign_keys_argument(table)}')"
                ),
            )
        )
    return triggers


def history_entities(schema: str | None = None) -> list[PGFunction | PGTrigger]:
    """Functions then triggers of history tracking, in creation order."""
    return [*history_functions(schema), *history_triggers(schema)]
