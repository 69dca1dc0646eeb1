"""Op-tree tests without a database: one per rule kind, each checking upgrade *and* downgrade.

Every test builds the ops autogenerate would build for a known divergence plus, where it matters,
a real change next to it, and checks that exactly the known divergence disappears from both trees.
"""

import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from alembic_utils.reversible_op import CreateOp, DropOp, ReplaceOp
from autogen_filters_testlib import SCHEMA, make_matcher, script_for
from sqlalchemy.dialects import postgresql

from autogen_filters.directives import DirectiveFilter, subjects_of_op


def run(toml: str, *upgrade):
    matcher = make_matcher(toml)
    script = script_for(*upgrade)
    DirectiveFilter(matcher)(None, None, [script])
    return script, matcher


def rendered(container) -> str:
    return render_python_code(container)


def table(name: str, *columns, **kw) -> sa.Table:
    return sa.Table(name, sa.MetaData(schema=SCHEMA), *columns, **kw)


# --- columns ----------------------------------------------------------------------------------


def test_type_rule_trims_only_the_covered_attribute():
    alter = ops.AlterColumnOp(
        "meta_history",
        "elev",
        schema=SCHEMA,
        existing_type=sa.NUMERIC(),
        modify_type=sa.Float(),
        existing_nullable=True,
        modify_nullable=False,
    )
    script, matcher = run(
        """[[rule]]
id = "elev"
kind = "column"
table = "meta_history"
name = "elev"
difference = "type"
db = "numeric"
orm = "float.*|double precision"
reason = "numeric in production"
""",
        ops.ModifyTableOps("meta_history", [alter], schema=SCHEMA),
    )
    up = script.upgrade_ops.ops[0].ops[0]
    assert up.modify_type is None and up.modify_nullable is False
    down = script.downgrade_ops.ops[0].ops[0]
    assert down.modify_type is None and down.modify_nullable is True
    [suppression] = matcher.suppressions
    assert suppression.rule.id == "elev"
    assert "db: NUMERIC, orm: FLOAT" in suppression.subject.describe()


def test_type_rule_with_value_patterns_does_not_hide_another_type_change():
    alter = ops.AlterColumnOp(
        "meta_history", "elev", schema=SCHEMA, existing_type=sa.NUMERIC(), modify_type=sa.Integer()
    )
    script, matcher = run(
        """[[rule]]
id = "elev"
kind = "column"
table = "meta_history"
name = "elev"
difference = "type"
db = "numeric"
orm = "float.*|double precision"
reason = "numeric in production"
""",
        ops.ModifyTableOps("meta_history", [alter], schema=SCHEMA),
    )
    assert script.upgrade_ops.ops[0].ops[0].modify_type is not None
    assert not matcher.suppressions
    assert [r.id for r in matcher.stale_rules()] == ["elev"]


def test_enum_type_rule():
    alter = ops.AlterColumnOp(
        "meta_history",
        "freq",
        schema=SCHEMA,
        existing_type=postgresql.ENUM("daily", name="timescale", schema="public"),
        modify_type=sa.String(),
    )
    script, _ = run(
        """[[rule]]
id = "freq-enum"
kind = "column"
table = "meta_history"
name = "freq"
difference = "type"
db = "(public\\\\.)?timescale"
reason = "enum in production"
""",
        ops.ModifyTableOps("meta_history", [alter], schema=SCHEMA),
    )
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()


def test_nullable_rule():
    alter = ops.AlterColumnOp(
        "obs_raw", "vars_id", schema=SCHEMA, existing_nullable=False, modify_nullable=True
    )
    script, matcher = run(
        """[[rule]]
id = "vars-id-not-null"
kind = "column"
table = "obs_raw"
name = "vars_id"
difference = "nullable"
db = "not null"
reason = "every observation has a variable"
""",
        ops.ModifyTableOps("obs_raw", [alter], schema=SCHEMA),
    )
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()
    assert matcher.suppressions[0].subject.db == "not null"


def test_server_default_rule_for_renamed_sequences():
    alter = ops.AlterColumnOp(
        "meta_history_hx",
        "history_id",
        schema=SCHEMA,
        existing_server_default="nextval('crmp.history_id_seq'::regclass)",
        modify_server_default=sa.text("nextval('crmp.meta_history_history_id_seq'::regclass)"),
    )
    other = ops.AlterColumnOp(
        "meta_history_hx",
        "comments",
        schema=SCHEMA,
        existing_server_default=None,
        modify_server_default=sa.text("'x'"),
    )
    script, _ = run(
        """[[rule]]
id = "seq-names"
kind = "column"
table = "meta_\\\\w+"
name = "\\\\w+_id"
difference = "server_default"
db = "nextval\\\\('({schema}\\\\.)?\\\\w+_id_seq'::regclass\\\\)"
reason = "legacy sequence names"
""",
        ops.ModifyTableOps("meta_history_hx", [alter, other], schema=SCHEMA),
    )
    [remaining] = script.upgrade_ops.ops[0].ops
    assert remaining.column_name == "comments"
    [reverse] = script.downgrade_ops.ops[0].ops
    assert reverse.column_name == "comments"


def test_column_presence_rules_are_one_sided():
    script, matcher = run(
        """[[rule]]
id = "legacy-col"
kind = "column"
table = "obs_raw"
name = "legacy_flag"
difference = "db_only"
reason = "left by an old loader"
""",
        ops.ModifyTableOps(
            "obs_raw",
            [
                ops.DropColumnOp.from_column_and_tablename(
                    SCHEMA, "obs_raw", sa.Column("legacy_flag", sa.Integer())
                ),
                ops.AddColumnOp("obs_raw", sa.Column("legacy_flag", sa.Integer()), schema=SCHEMA),
            ],
            schema=SCHEMA,
        ),
    )
    # The drop is the known divergence; an ORM column of the same name would be a real change.
    [kept] = script.upgrade_ops.ops[0].ops
    assert isinstance(kept, ops.AddColumnOp)
    [kept_down] = script.downgrade_ops.ops[0].ops
    assert isinstance(kept_down, ops.DropColumnOp)
    assert len(matcher.suppressions) == 1


# --- tables -----------------------------------------------------------------------------------


def test_table_db_only_rule_and_real_new_table():
    legacy = table("meta_alias", sa.Column("id", sa.Integer, primary_key=True))
    new = table("new_thing", sa.Column("id", sa.Integer, primary_key=True))
    script, _ = run(
        """[[rule]]
id = "legacy-tables"
kind = "table"
name = "meta_alias|stats_station_var"
difference = "db_only"
reason = "legacy tables"
""",
        ops.DropTableOp.from_table(legacy),
        ops.CreateTableOp.from_table(new),
    )
    [up] = script.upgrade_ops.ops
    assert isinstance(up, ops.CreateTableOp) and up.table_name == "new_thing"
    [down] = script.downgrade_ops.ops
    assert isinstance(down, ops.DropTableOp) and down.table_name == "new_thing"
    assert "meta_alias" not in rendered(script.downgrade_ops)


# --- indexes ----------------------------------------------------------------------------------


def test_extra_index_rule_does_not_hide_a_new_orm_index():
    t = table("obs_raw", sa.Column("vars_id", sa.Integer), sa.Column("datum", sa.Float))
    extra = sa.Index("ix_crmp_obs_raw_vars_id", t.c.vars_id)
    new = sa.Index("ix_obs_raw_datum", t.c.datum)
    script, matcher = run(
        """[[rule]]
id = "extra-index"
kind = "index"
table = "obs_raw"
name = "ix_{schema}_obs_raw_vars_id"
difference = "db_only"
reason = "hand-made"
""",
        ops.ModifyTableOps(
            "obs_raw",
            [ops.DropIndexOp.from_index(extra), ops.CreateIndexOp.from_index(new)],
            schema=SCHEMA,
        ),
    )
    [up] = script.upgrade_ops.ops[0].ops
    assert isinstance(up, ops.CreateIndexOp) and up.index_name == "ix_obs_raw_datum"
    [down] = script.downgrade_ops.ops[0].ops
    assert isinstance(down, ops.DropIndexOp) and down.index_name == "ix_obs_raw_datum"
    assert [s.subject.name for s in matcher.suppressions] == ["ix_crmp_obs_raw_vars_id"]


def test_index_definition_rule_needs_a_pair():
    db_t = table("obs_raw", sa.Column("obs_raw_id", sa.Integer), sa.Column("obs_time", sa.DateTime))
    orm_t = table("obs_raw", sa.Column("obs_time", sa.DateTime))
    db_ix = sa.Index("obs_raw_comp_idx", db_t.c.obs_raw_id, db_t.c.obs_time)
    orm_ix = sa.Index("obs_raw_comp_idx", orm_t.c.obs_time)
    rules = """[[rule]]
id = "comp-idx"
kind = "index"
table = "obs_raw"
name = "obs_raw_comp_idx"
difference = "definition"
reason = "production has obs_raw_id first"
"""
    script, matcher = run(
        rules,
        ops.ModifyTableOps(
            "obs_raw",
            [ops.DropIndexOp.from_index(db_ix), ops.CreateIndexOp.from_index(orm_ix)],
            schema=SCHEMA,
        ),
    )
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()
    assert len(matcher.suppressions) == 1
    # A lone drop of that index (the ORM removed it) is a real change.
    script, matcher = run(
        rules,
        ops.ModifyTableOps("obs_raw", [ops.DropIndexOp.from_index(db_ix)], schema=SCHEMA),
    )
    assert len(script.upgrade_ops.ops[0].ops) == 1 and not matcher.suppressions


# --- constraints ------------------------------------------------------------------------------


def _fk_pair(db_name, orm_name, onupdate):
    meta = sa.MetaData(schema=SCHEMA)
    sa.Table("meta_station", meta, sa.Column("station_id", sa.Integer, primary_key=True))
    hist = sa.Table(
        "meta_history",
        meta,
        sa.Column("history_id", sa.Integer, primary_key=True),
        sa.Column("station_id", sa.Integer),
    )
    db_fk = sa.ForeignKeyConstraint(
        ["station_id"], ["crmp.meta_station.station_id"], name=db_name, onupdate=onupdate
    )
    orm_fk = sa.ForeignKeyConstraint(
        ["station_id"], ["crmp.meta_station.station_id"], name=orm_name
    )
    hist.append_constraint(db_fk)
    hist2 = sa.Table(
        "meta_history", sa.MetaData(schema=SCHEMA), sa.Column("station_id", sa.Integer)
    )
    hist2.append_constraint(orm_fk)
    sa.Table("meta_station", hist2.metadata, sa.Column("station_id", sa.Integer))
    return ops.DropConstraintOp.from_constraint(db_fk), ops.AddConstraintOp.from_constraint(orm_fk)


def test_foreign_key_definition_rule_pairs_by_columns_across_names():
    drop, add = _fk_pair("meta_history_station_id_fk", "meta_history_station_id_fkey", "CASCADE")
    script, matcher = run(
        """[[rule]]
id = "hist-station-fk"
kind = "foreign_key_constraint"
table = "meta_history"
name = "meta_history_station_id_fk(ey)?"
difference = "definition"
reason = "ON UPDATE CASCADE and a legacy name in production"
""",
        ops.ModifyTableOps("meta_history", [drop, add], schema=SCHEMA),
    )
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()
    [suppression] = matcher.suppressions
    assert "meta_history_station_id_fk (db) / meta_history_station_id_fkey (orm)" in (
        suppression.subject.describe()
    )


def test_unique_constraint_definition_rule():
    db_t = table("obs_raw", sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))
    orm_t = table("obs_raw", sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))
    db_uq = sa.UniqueConstraint(db_t.c.b, db_t.c.a, name="time_place_variable_unique")
    orm_uq = sa.UniqueConstraint(orm_t.c.a, orm_t.c.b, name="time_place_variable_unique")
    db_t.append_constraint(db_uq)
    orm_t.append_constraint(orm_uq)
    script, _ = run(
        """[[rule]]
id = "tpv-unique"
kind = "unique_constraint"
table = "obs_raw"
name = "time_place_variable_unique"
difference = "definition"
reason = "column order differs in production"
""",
        ops.ModifyTableOps(
            "obs_raw",
            [
                ops.DropConstraintOp.from_constraint(db_uq),
                ops.AddConstraintOp.from_constraint(orm_uq),
            ],
            schema=SCHEMA,
        ),
    )
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()


def test_check_constraint_renamed_pair():
    db_t = table("meta_vars", sa.Column("unit", sa.String))
    orm_t = table("meta_vars", sa.Column("unit", sa.String))
    db_ck = sa.CheckConstraint("unit !~ '[\\r\\n]'", name="ck_unit_no_newlines")
    orm_ck = sa.CheckConstraint("unit !~ '[\\r\\n]'", name="unit_nolinebreak")
    db_t.append_constraint(db_ck)
    orm_t.append_constraint(orm_ck)
    script, matcher = run(
        """[[rule]]
id = "newline-checks"
kind = "check_constraint"
table = "meta_vars"
name = "ck_\\\\w+_no_newlines"
difference = "db_only"
reason = "production names"
""",
        ops.ModifyTableOps(
            "meta_vars",
            [
                ops.DropConstraintOp.from_constraint(db_ck),
                ops.AddConstraintOp.from_constraint(orm_ck),
            ],
            schema=SCHEMA,
        ),
    )
    # Only the DB-only name is covered; the ORM's constraint is still proposed.
    [kept] = script.upgrade_ops.ops[0].ops
    assert isinstance(kept, ops.AddConstraintOp)
    assert matcher.suppressions[0].subject.kind == "check_constraint"


# --- replaceable entities ---------------------------------------------------------------------


def test_function_view_matview_trigger_rules():
    fn = PGFunction(
        SCHEMA, "daily_agg(x integer)", "returns integer as $$ select 1 $$ language sql"
    )
    view = PGView(SCHEMA, "crmp_network_geoserver", "select 1 as a")
    real_view = PGView(SCHEMA, "new_view", "select 2 as b")
    mv = PGMaterializedView(SCHEMA, "legacy_mv", "select 1 as a", with_data=False)
    trigger = PGTrigger(
        schema=SCHEMA,
        signature="update_mod_time",
        on_entity="crmp.obs_raw",
        definition="BEFORE UPDATE ON crmp.obs_raw FOR EACH ROW "
        "EXECUTE FUNCTION public.moddatetime(mod_time)",
    )
    script, matcher = run(
        """[[rule]]
id = "legacy-functions"
kind = "function"
name = "daily_agg"
difference = "db_only"
reason = "legacy"

[[rule]]
id = "geoserver-view"
kind = "view"
name = "crmp_network_geoserver"
difference = "definition"
reason = "older definition kept for GeoServer"

[[rule]]
id = "legacy-mv"
kind = "materialized_view"
name = "legacy_mv"
difference = "db_only"
reason = "legacy"

[[rule]]
id = "moddatetime"
kind = "trigger"
table = "obs_raw"
name = "update_mod_time"
difference = "db_only"
reason = "below history tracking"
""",
        DropOp(fn),
        ReplaceOp(view),
        CreateOp(real_view),
        DropOp(mv),
        DropOp(trigger),
    )
    [up] = script.upgrade_ops.ops
    assert isinstance(up, CreateOp) and up.target.signature == "new_view"
    [down] = script.downgrade_ops.ops
    assert isinstance(down, DropOp) and down.target.signature == "new_view"
    assert sorted(s.rule.id for s in matcher.suppressions) == [
        "geoserver-view",
        "legacy-functions",
        "legacy-mv",
        "moddatetime",
    ]


def test_displaced_ops_are_never_suppressed():
    """A drop and re-create that only make way for another change (``displaced``) stay, even
    when a ``definition`` rule names the object (they would pair) or a ``db_only`` rule does;
    the same pair, not displaced, is still a known divergence."""
    from autogen_filters.replaceables.ops import CreateEntityOp, DropEntityOp

    mv = PGMaterializedView(SCHEMA, "daily_max_temperature_mv", "select 1 as a", with_data=True)
    legacy = PGView(SCHEMA, "daily_agg", "select 1 as a")
    toml = """[[rule]]
id = "mv-definition"
kind = "materialized_view"
name = "daily_max_temperature_mv"
difference = "definition"
reason = "production text"

[[rule]]
id = "legacy-views"
kind = "view"
name = "daily_agg"
difference = "db_only"
reason = "legacy"
"""
    script, matcher = run(
        toml,
        DropEntityOp(mv, displaced=True),
        DropEntityOp(legacy, displaced=True),
        CreateEntityOp(legacy, displaced=True),
        CreateEntityOp(mv, displaced=True),
    )
    assert [type(op).__name__ for op in script.upgrade_ops.ops] == [
        "DropEntityOp", "DropEntityOp", "CreateEntityOp", "CreateEntityOp"
    ]  # fmt: skip
    assert len(script.downgrade_ops.ops) == 4
    assert matcher.suppressions == []

    script, matcher = run(toml, DropEntityOp(mv), CreateEntityOp(mv))
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()
    assert [s.rule.id for s in matcher.suppressions] == ["mv-definition"]


def test_entity_orm_only_rule():
    fn = PGFunction(SCHEMA, "not_yet(x integer)", "returns integer as $$ select 1 $$ language sql")
    script, _ = run(
        """[[rule]]
id = "not-yet"
kind = "function"
name = "not_yet"
difference = "orm_only"
reason = "deployed by hand later"
""",
        CreateOp(fn),
    )
    assert script.upgrade_ops.is_empty() and script.downgrade_ops.is_empty()


def test_empty_modify_table_ops_are_removed_and_others_left_alone():
    keep = ops.ModifyTableOps(
        "obs_raw",
        [ops.AddColumnOp("obs_raw", sa.Column("n", sa.Integer), schema=SCHEMA)],
        schema=SCHEMA,
    )
    gone = ops.ModifyTableOps(
        "meta_alias",
        [ops.DropColumnOp.from_column_and_tablename(SCHEMA, "meta_alias", sa.Column("x", sa.Text))],
        schema=SCHEMA,
    )
    other = ops.CreateTableOp.from_table(table("t2", sa.Column("id", sa.Integer, primary_key=True)))
    matcher = make_matcher(
        """[[rule]]
id = "x"
kind = "column"
table = "meta_alias"
name = "x"
difference = "db_only"
reason = "legacy"
"""
    )
    script = script_for(keep, gone, other)
    DirectiveFilter(matcher)(None, None, [script])
    assert script.upgrade_ops.ops == [keep, other]
    assert len(script.downgrade_ops.ops) == 2


def test_subjects_of_op_describe_every_attribute():
    alter = ops.AlterColumnOp(
        "t",
        "c",
        schema=SCHEMA,
        existing_type=sa.REAL(),
        modify_type=sa.Float(),
        existing_nullable=False,
        modify_nullable=True,
    )
    subjects = subjects_of_op(alter)
    assert [(s.difference, s.db, s.orm) for s in subjects] == [
        ("type", "REAL", "FLOAT"),
        ("nullable", "not null", "null"),
    ]


def test_renamed_check_constraints_pair_by_key_group():
    db_t = table("meta_vars", sa.Column("unit", sa.String), sa.Column("short_name", sa.String))
    orm_t = table("meta_vars", sa.Column("unit", sa.String), sa.Column("short_name", sa.String))
    db_cks = [
        sa.CheckConstraint(f"{c} !~ 'x'", name=f"ck_{c}_no_newlines")
        for c in ("unit", "short_name")
    ]
    # The ORM renames both, and adds a CHECK on a third column matching the same pattern.
    orm_cks = [
        sa.CheckConstraint(f"{c} !~ 'x'", name=f"{c}_nolinebreak")
        for c in ("short_name", "unit", "standard_name")
    ]
    for ck in db_cks:
        db_t.append_constraint(ck)
    for ck in orm_cks:
        orm_t.append_constraint(ck)
    script, matcher = run(
        """[[rule]]
id = "newline-checks"
kind = "check_constraint"
table = "meta_vars"
name = "(ck_)?(?P<key>\\\\w+?)_(no_newlines|nolinebreak)"
difference = "definition"
reason = "production names"
""",
        ops.ModifyTableOps(
            "meta_vars",
            [ops.DropConstraintOp.from_constraint(ck) for ck in db_cks]
            + [ops.AddConstraintOp.from_constraint(ck) for ck in orm_cks],
            schema=SCHEMA,
        ),
    )
    [kept] = script.upgrade_ops.ops[0].ops
    assert kept.to_constraint().name == "standard_name_nolinebreak"
    [kept_down] = script.downgrade_ops.ops[0].ops
    assert isinstance(kept_down, ops.DropConstraintOp)
    assert kept_down.constraint_name == "standard_name_nolinebreak"
    assert len(matcher.suppressions) == 2
