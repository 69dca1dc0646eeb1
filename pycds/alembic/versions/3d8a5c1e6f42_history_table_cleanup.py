"""History tables: no copied key defaults or CHECKs, plain names, no stray trigger

Upstream built the ``_hx`` tables as LIKE-copies of the tracked tables, which left them
with what only the tracked table should have, and with names that depend on the schema:

- the copied key column (``network_id`` in meta_network_hx, ...) defaults to ``nextval``
  of the tracked table's sequence: an insert that omits it consumes a main-table id. The
  default is dropped (the other copied defaults, ``now()``, ``CURRENT_USER``, ``true``,
  stay);
- meta_vars_hx carries copies of meta_vars' CHECK constraints, so a historical row can
  never be stored again once a rule tightens. They are dropped (whatever their names);
- indexes ``ix_<schema>_<hx>_<column>`` become ``ix_<hx>_<column>`` (the same in every
  schema), and ``meta_network_hx_pkey1`` becomes ``meta_network_hx_pkey``;
- meta_network_hx has a ``t100_add_foreign_hx_keys`` trigger with nothing to do (no
  foreign history ids): dropped. The four other hx triggers are re-created with their
  argument written ``{{table,column}}`` (the same pairs, without spaces).

On a running database: catalog-only changes (brief ACCESS EXCLUSIVE locks on the five hx
tables); no rewrite, no index build, no matview refresh.

Downgrade restores all of it; the key defaults and CHECKs are copied again from the
tracked tables' current ones (so a database whose sequences have other names gets its
own back).

Revision ID: 3d8a5c1e6f42
Revises: 2c7f4b0d5e31
Create Date: 2026-11-30 07:12:00

"""

from collections.abc import Sequence

from alembic import op

from pycds import get_schema_name
from pycds.upstream_head import tables
from pycds.upstream_head.tables import HISTORY_TRACKED, HX_FOREIGN_KEYS, hx_table_name

revision: str = "3d8a5c1e6f42"
down_revision: str | Sequence[str] | None = "2c7f4b0d5e31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

KEYS = tables.KEY_OF


def _argument(table: str) -> str:
    """The trigger argument this revision writes: ``{{table,column},...}``, no spaces."""
    return "{" + ",".join(f"{{{t},{c}}}" for t, c in HX_FOREIGN_KEYS[table]) + "}"


def _index_renames(s: str) -> list[tuple[str, str]]:
    return [
        (tables.upstream_hx_index_name(s, table, column), f"ix_{hx_table_name(table)}_{column}")
        for table in HISTORY_TRACKED
        for column in tables.hx_indexed_columns(table)
    ]


def _trigger(s: str, table: str, argument: str) -> list[str]:
    hx = hx_table_name(table)
    return [
        f"DROP TRIGGER t100_add_foreign_hx_keys ON {s}.{hx}",
        f"CREATE TRIGGER t100_add_foreign_hx_keys BEFORE INSERT ON {s}.{hx} FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.hxtk_add_foreign_hx_keys('{argument}')",
    ]


def upgrade() -> None:
    s = schema_name
    for table in HISTORY_TRACKED:
        op.execute(
            f"ALTER TABLE {s}.{hx_table_name(table)} ALTER COLUMN {KEYS[table]} DROP DEFAULT"
        )
    op.execute(
        f"""DO $$
DECLARE
    check_name name;
BEGIN
    FOR check_name IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = '{s}.meta_vars_hx'::regclass AND contype = 'c'
    LOOP
        EXECUTE format('ALTER TABLE {s}.meta_vars_hx DROP CONSTRAINT %I', check_name);
    END LOOP;
END
$$"""
    )
    for old, new in _index_renames(s):
        op.execute(f"ALTER INDEX {s}.{old} RENAME TO {new}")
    op.execute(
        f"ALTER TABLE {s}.meta_network_hx RENAME CONSTRAINT "
        f"{tables.hx_pkey_name('meta_network')} TO meta_network_hx_pkey"
    )
    op.execute(f"DROP TRIGGER t100_add_foreign_hx_keys ON {s}.meta_network_hx")
    for table in HISTORY_TRACKED:
        if HX_FOREIGN_KEYS[table]:
            for statement in _trigger(s, table, _argument(table)):
                op.execute(statement)


def downgrade() -> None:
    s = schema_name
    for table in HISTORY_TRACKED:
        if HX_FOREIGN_KEYS[table]:
            for statement in _trigger(s, table, tables.hx_trigger_argument(table)):
                op.execute(statement)
    op.execute(tables.hx_trigger_sql(s, "meta_network"))
    op.execute(
        f"ALTER TABLE {s}.meta_network_hx RENAME CONSTRAINT meta_network_hx_pkey "
        f"TO {tables.hx_pkey_name('meta_network')}"
    )
    for old, new in _index_renames(s):
        op.execute(f"ALTER INDEX {s}.{new} RENAME TO {old}")
    # The CHECKs and key defaults of the tracked tables, copied as LIKE copied them.
    op.execute(
        f"""DO $$
DECLARE
    source record;
BEGIN
    FOR source IN
        SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE conrelid = '{s}.meta_vars'::regclass AND contype = 'c' ORDER BY conname
    LOOP
        EXECUTE format(
            'ALTER TABLE {s}.meta_vars_hx ADD CONSTRAINT %I %s', source.conname, source.definition
        );
    END LOOP;
END
$$"""
    )
    for table in HISTORY_TRACKED:
        key = KEYS[table]
        op.execute(
            f"""DO $$
DECLARE
    key_default text;
BEGIN
    SELECT pg_get_expr(d.adbin, d.adrelid) INTO key_default
    FROM pg_attrdef d
    JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE d.adrelid = '{s}.{table}'::regclass AND a.attname = '{key}';
    IF key_default IS NOT NULL THEN
        EXECUTE format(
            'ALTER TABLE {s}.{hx_table_name(table)} ALTER COLUMN {key} SET DEFAULT %s',
            key_default
        );
    END IF;
END
$$"""
        )
