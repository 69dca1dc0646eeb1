"""The catalogue of migration hazards: what a draft risks, as data.

Each :class:`HazardRule` has a stable id (kept across releases, like a divergence rule's id),
a category, a one-line explanation, a safer alternative, the equivalent checks of peer tools
(squawk rules, Atlas lint analyzers, pg-schema-diff hazard types) and examples: Alembic ops,
written as Python expressions over ``ops`` (``alembic.operations.ops``) and ``sa``
(``sqlalchemy``), that raise the hazard. The tests evaluate every example and check that it
is flagged, so the catalogue documents and enforces itself.

:mod:`autogen_filters.hazards` finds the hazards in an op tree; this module only says what
they are.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATEGORIES", "HAZARD_RULES", "HazardRule", "hazard_rule"]

#: Categories, in the order of the report.
CATEGORIES = {
    "data-loss": "data loss",
    "existing-rows": "fails on existing rows",
    "lock": "table rewrite or long lock",
    "matview": "materialized view refresh",
    "interface": "changes what outside readers see",
}


@dataclass(frozen=True)
class HazardRule:
    id: str
    category: str
    explanation: str
    alternative: str
    peers: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


HAZARD_RULES: tuple[HazardRule, ...] = (
    # --- data loss ----------------------------------------------------------------------------
    HazardRule(
        id="drop-table",
        category="data-loss",
        explanation="DROP TABLE deletes every row of the table; the downgrade re-creates it empty.",
        alternative="Rename or archive the table first (a later revision drops it), or copy its "
        "rows out; acknowledge once the data is known to be disposable.",
        peers=("squawk ban-drop-table", "Atlas DS102", "pg-schema-diff DELETES_DATA"),
        examples=("ops.DropTableOp('obs_raw')",),
    ),
    HazardRule(
        id="drop-column",
        category="data-loss",
        explanation="DROP COLUMN deletes the column's values; the downgrade re-adds it empty.",
        alternative="Stop writing the column first and drop it in a later revision, or copy its "
        "values out; if it was renamed, declare the rename (info={'renamed_from': ...}).",
        peers=("squawk ban-drop-column", "Atlas DS103", "pg-schema-diff DELETES_DATA"),
        examples=("ops.DropColumnOp('meta_contact', 'phone')",),
    ),
    HazardRule(
        id="type-narrowing",
        category="data-loss",
        explanation="The new type cannot hold every value of the old one: values are truncated "
        "or rounded, or the ALTER fails on the rows that do not fit.",
        alternative="Check the existing values first (SELECT ... WHERE it does not fit), fix "
        "them in a data step, and give an explicit USING expression.",
        peers=("Atlas MF (data-dependent changes)", "pg-schema-diff DELETES_DATA"),
        examples=(
            "ops.AlterColumnOp('obs_raw', 'obs_raw_id', existing_type=sa.BigInteger(), "
            "modify_type=sa.Integer())",
        ),
    ),
    HazardRule(
        id="ambiguous-rename",
        category="data-loss",
        explanation="A drop and an add in the same table were left as drop + add: if this is a "
        "rename, the values of the dropped column (or table) are lost.",
        alternative="Declare the rename (ORM info={'renamed_from': 'old'}, or alembic-rewrite "
        "--rename table.old=new) so that the draft renames instead.",
        peers=("Atlas BC102 (rename detection)", "Django's rename questioner"),
        examples=(
            "ops.ModifyTableOps('meta_contact', [ops.DropColumnOp('meta_contact', 'phone'), "
            "ops.AddColumnOp('meta_contact', sa.Column('telephone', sa.String()))])",
        ),
    ),
    # --- fails on existing rows ---------------------------------------------------------------
    HazardRule(
        id="not-null-without-backfill",
        category="existing-rows",
        explanation="SET NOT NULL fails if any row holds NULL, and scans the whole table under "
        "an ACCESS EXCLUSIVE lock.",
        alternative="Backfill first (op.execute UPDATE ... WHERE col IS NULL); on a big table add "
        "CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL.",
        peers=("squawk adding-not-nullable-field", "Atlas MF104"),
        examples=(
            "ops.AlterColumnOp('meta_contact', 'name', existing_nullable=True, "
            "modify_nullable=False)",
        ),
    ),
    HazardRule(
        id="required-column-without-default",
        category="existing-rows",
        explanation="ADD COLUMN ... NOT NULL without a default fails as soon as the table has a "
        "row.",
        alternative="Add the column nullable (or with a server default), backfill it, then set "
        "NOT NULL in a later step.",
        peers=("squawk adding-required-field", "Atlas MF103"),
        examples=(
            "ops.AddColumnOp('meta_contact', sa.Column('note', sa.String(), nullable=False))",
        ),
    ),
    HazardRule(
        id="unique-on-existing-rows",
        category="existing-rows",
        explanation="A new UNIQUE constraint or index fails if existing rows repeat a value, and "
        "builds its index while blocking writes.",
        alternative="Find duplicates first; CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT "
        "... UNIQUE USING INDEX.",
        peers=("squawk disallowed-unique-constraint", "Atlas MF101"),
        examples=(
            "ops.CreateUniqueConstraintOp('uq_meta_contact_email', 'meta_contact', ['email'])",
            "ops.CreateIndexOp('ix_meta_contact_email', 'meta_contact', ['email'], unique=True)",
        ),
    ),
    HazardRule(
        id="check-on-existing-rows",
        category="existing-rows",
        explanation="A new CHECK constraint is validated against every row under an ACCESS "
        "EXCLUSIVE lock, and fails if one row violates it.",
        alternative="Add it NOT VALID (op.execute ... NOT VALID), fix the violating rows, then "
        "VALIDATE CONSTRAINT in a later step.",
        peers=(
            "squawk constraint-missing-not-valid",
            "pg-schema-diff ACQUIRES_ACCESS_EXCLUSIVE_LOCK",
        ),
        examples=("ops.CreateCheckConstraintOp('ck_positive', 'obs_raw', 'datum > 0')",),
    ),
    HazardRule(
        id="foreign-key-on-existing-rows",
        category="existing-rows",
        explanation="A new foreign key is validated against every row while both tables are "
        "locked against writes, and fails on an orphan row.",
        alternative="Add it NOT VALID, clean up orphans, then VALIDATE CONSTRAINT separately.",
        peers=(
            "squawk adding-foreign-key-constraint",
            "pg-schema-diff ACQUIRES_SHARE_ROW_EXCLUSIVE_LOCK",
        ),
        examples=(
            "ops.CreateForeignKeyOp('fk_sensor_contact', 'meta_sensor', 'meta_contact', "
            "['contact_id'], ['contact_id'])",
        ),
    ),
    # --- rewrites and locks -------------------------------------------------------------------
    HazardRule(
        id="column-type-change",
        category="lock",
        explanation="ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS "
        "EXCLUSIVE lock: no reads or writes until it ends.",
        alternative="Add a new column, backfill it in batches, switch readers and writers, then "
        "drop the old one; or schedule downtime sized by the row count.",
        peers=("squawk changing-column-type", "pg-schema-diff ACQUIRES_ACCESS_EXCLUSIVE_LOCK"),
        examples=(
            "ops.AlterColumnOp('obs_raw', 'datum', existing_type=sa.Float(), "
            "modify_type=sa.Numeric())",
        ),
    ),
    HazardRule(
        id="volatile-default",
        category="lock",
        explanation="ADD COLUMN with a volatile default (random(), clock_timestamp(), nextval...) "
        "rewrites the whole table under an ACCESS EXCLUSIVE lock.",
        alternative="Add the column without a default, set the default afterwards, backfill "
        "existing rows in batches.",
        peers=("squawk adding-field-with-default", "pg-schema-diff ACQUIRES_ACCESS_EXCLUSIVE_LOCK"),
        examples=(
            "ops.AddColumnOp('meta_contact', sa.Column('token', sa.Float(), "
            "server_default=sa.text('random()')))",
        ),
    ),
    HazardRule(
        id="index-not-concurrent",
        category="lock",
        explanation="CREATE INDEX without CONCURRENTLY blocks every write to a large table for "
        "the whole build.",
        alternative="Create it with postgresql_concurrently=True inside "
        "op.get_context().autocommit_block().",
        peers=("squawk require-concurrent-index-creation", "pg-schema-diff INDEX_BUILD"),
        examples=("ops.CreateIndexOp('ix_obs_raw_datum', 'obs_raw', ['datum'])",),
    ),
    # --- materialized views -------------------------------------------------------------------
    HazardRule(
        id="matview-refresh",
        category="matview",
        explanation="The materialized view is (re)created WITH DATA: its whole query runs inside "
        "the migration, and readers lose it until the migration commits.",
        alternative="Create it WITH NO DATA in the migration and REFRESH it afterwards (or "
        "CONCURRENTLY, with a unique index) outside the deployment window.",
        peers=("pg-schema-diff IMPACTS_DATABASE_PERFORMANCE",),
        examples=("ReplaceOp(PGMaterializedView('s', 'm_mv', 'SELECT 1', with_data=True))",),
    ),
    HazardRule(
        id="stale-matview",
        category="matview",
        explanation="A function used by this materialized view changes, but the view is not "
        "re-created: its rows keep the old function's results until it is refreshed.",
        alternative="Add op.execute('REFRESH MATERIALIZED VIEW ...') after the function change, "
        "or schedule the refresh.",
        peers=("pg-schema-diff HAS_UNTRACKABLE_DEPENDENCIES",),
        examples=(
            "ReplaceOp(PGFunction('s', 'f()', 'RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'))",
        ),
    ),
    # --- what outside readers see -------------------------------------------------------------
    HazardRule(
        id="view-changed",
        category="interface",
        explanation="A view or materialized view that outside readers query gets a new "
        "definition: their columns or rows may change.",
        alternative="Keep existing columns and their meaning; add a new view for a new shape and "
        "retire the old one once its readers have moved.",
        peers=("Atlas BC (backward-incompatible changes)",),
        examples=("ReplaceOp(PGView('s', 'v', 'SELECT 1 AS one'))",),
    ),
    HazardRule(
        id="view-dropped",
        category="interface",
        explanation="A view or materialized view is dropped: every outside reader of it breaks.",
        alternative="Check its readers (grants, clients) first; keep a compatibility view "
        "until they have moved.",
        peers=("Atlas BC (backward-incompatible changes)", "pg-schema-diff DELETES_DATA"),
        examples=("DropOp(PGView('s', 'v', 'SELECT 1 AS one'))",),
    ),
    HazardRule(
        id="rename-breaks-readers",
        category="interface",
        explanation="A table or column is renamed: clients, views of other schemas and "
        "hand-written SQL that use the old name break.",
        alternative="Keep the old name reachable (a view, or a generated column) until readers "
        "have moved, or rename in a coordinated release.",
        peers=("squawk renaming-column", "squawk renaming-table", "Atlas BC101", "Atlas BC102"),
        examples=(
            "ops.AlterColumnOp('meta_contact', 'phone', modify_name='telephone')",
            "ops.RenameTableOp('meta_contact', 'contact')",
        ),
    ),
)

_BY_ID = {rule.id: rule for rule in HAZARD_RULES}


def hazard_rule(hazard_id: str) -> HazardRule:
    """The rule with that id (``KeyError`` for an unknown id)."""
    return _BY_ID[hazard_id]
