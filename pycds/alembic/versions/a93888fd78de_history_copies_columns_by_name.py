"""History tracking copies columns by name

``hxtk_primary_ops_to_hx`` copied a row into its history table by position
(``INSERT ... SELECT ($1).*, $2``), so adding a column to a tracked table (which lands
after ``deleted`` and the hx id in the history table), or re-adding one on downgrade,
broke every write to the table. It now inserts the columns the two tables share by name.
The new definition is embedded, as autogenerate renders it (the head's lives in
``pycds.replaceables.history``); the downgrade restores the one revision 4e9b6d2f7a53
created, from its frozen module.

Revision ID: a93888fd78de
Revises: 7bce9a5cad86
Create Date: 2026-11-30 07:38:00

"""

from collections.abc import Sequence

from alembic import op
from alembic_utils.pg_function import PGFunction

from pycds import get_schema_name
from pycds.frozen import r4e9b6d2f7a53 as frozen

revision: str = "a93888fd78de"
down_revision: str | Sequence[str] | None = "7bce9a5cad86"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every object lives in the schema chosen at run time with PYCDS_SCHEMA_NAME.
schema_name = get_schema_name()


def upgrade() -> None:
    hxtk_primary_ops_to_hx = PGFunction(
        schema=schema_name,
        signature="hxtk_primary_ops_to_hx()",
        definition=f"""RETURNS trigger LANGUAGE plpgsql PARALLEL UNSAFE AS $$
DECLARE
    hx_row_source record;
    is_deletion boolean := TG_OP = 'DELETE';
    hx_table text := {schema_name}.hxtk_hx_table_name(TG_TABLE_NAME);
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
    )
    op.replace_entity(hxtk_primary_ops_to_hx)


def downgrade() -> None:
    # Back to the positional copy, as revision 4e9b6d2f7a53 created it.
    op.replace_entity(frozen.function(schema_name, "hxtk_primary_ops_to_hx"))
