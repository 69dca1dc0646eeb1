"""AutogenFilters without a database: schema restriction, presence filters, report, strict mode.

The hooks are called the way Alembic and alembic-utils call them (argument shapes of
alembic-notes A1-A2, B3); the "context" handed to process_revision_directives is a plain object
carrying the two attributes the hook reads (``opts["template_args"]`` and ``config``).
"""

import argparse
import io
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.operations import ops
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_view import PGView
from autogen_filters_testlib import SCHEMA, script_for

from autogen_filters import REPORT_TEMPLATE_ARG, AutogenFilters, StaleRulesError
from autogen_filters.hooks import REPORT_ATTRIBUTE
from autogen_filters.registry import parse_registry

RULES = """
[[rule]]
id = "legacy-table"
kind = "table"
name = "meta_alias"
difference = "db_only"
reason = "Legacy table kept by CRMP scripts."

[[rule]]
id = "legacy-function"
kind = "function"
name = "make_point"
difference = "db_only"
reason = "Legacy helper."

[[rule]]
id = "extra-index"
kind = "index"
table = "obs_raw"
name = "ix_{schema}_obs_raw_vars_id"
difference = "db_only"
reason = "Hand-made index."

[[rule]]
id = "never-matches"
kind = "view"
name = "gone_v"
difference = "db_only"
reason = "Dropped long ago."
"""


def make_filters(**kw) -> tuple[AutogenFilters, io.StringIO]:
    stream = io.StringIO()
    filters = AutogenFilters(parse_registry(RULES, source="rules.toml"), schema=SCHEMA,
                             stream=stream, **kw)  # fmt: skip
    return filters, stream


def context(cmd_opts=None):
    config = Config()
    config.cmd_opts = cmd_opts
    return SimpleNamespace(opts={"template_args": {REPORT_TEMPLATE_ARG: ""}}, config=config)


def reflected_table(name: str, schema: str = SCHEMA) -> sa.Table:
    return sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer), schema=schema)


def test_configure_options_are_complete():
    filters, _ = make_filters()
    options = filters.configure_options()
    assert options["include_schemas"] is True
    assert options["include_name"] == filters.include_name
    assert options["include_object"] == filters.include_object
    assert options["process_revision_directives"] == filters.process_revision_directives
    assert options["compare_type"] is True and options["compare_server_default"] is True
    assert options["template_args"] == {REPORT_TEMPLATE_ARG: ""}
    assert "alembic.ext.checkconstraint_byname" in options["autogenerate_plugins"]


def test_include_name_keeps_the_managed_schema_only():
    filters, _ = make_filters()
    assert filters.include_name(SCHEMA, "schema", {})
    assert not filters.include_name("public", "schema", {})
    assert not filters.include_name(None, "schema", {})  # the default schema
    # alembic-utils' drop scan: entities of other schemas (PostGIS in public) are never compared.
    public = {"schema_name": "public", "table_name": "Not applicable for type function"}
    assert not filters.include_name("public.st_makepoint(double precision)", "function", public)
    assert filters.include_name("obs_raw", "table", {"schema_name": SCHEMA})


def test_include_object_presence_rules_for_tables():
    filters, _ = make_filters()
    legacy = reflected_table("meta_alias")
    assert not filters.include_object(legacy, "meta_alias", "table", True, None)
    # Present on both sides: compared, whatever the rules say.
    assert filters.include_object(legacy, "meta_alias", "table", True, reflected_table("x"))
    # Only in the ORM: a db_only rule does not apply.
    assert filters.include_object(legacy, "meta_alias", "table", False, None)
    other = reflected_table("other_legacy")
    assert filters.include_object(other, "other_legacy", "table", True, None)
    assert not filters.include_object(reflected_table("t", "public"), "t", "table", True, None)


def test_include_object_entities():
    filters, _ = make_filters()
    legacy = PGFunction(
        SCHEMA, "make_point(lon numeric)", "returns integer language sql as $$ select 1 $$"
    )
    assert not filters.include_object(legacy, "x", "function", True, None)
    # A local entity is always compared: its definition may differ.
    assert filters.include_object(legacy, "x", "function", False, None)
    public_view = PGView("public", "geometry_columns", "select 1")
    assert not filters.include_object(public_view, "x", "view", True, None)


def test_report_in_draft_and_console_and_stale_rule():
    filters, stream = make_filters()
    filters.include_name(SCHEMA, "schema", {})
    filters.include_object(reflected_table("meta_alias"), "meta_alias", "table", True, None)
    t = sa.Table("obs_raw", sa.MetaData(schema=SCHEMA), sa.Column("vars_id", sa.Integer))
    drop = ops.DropIndexOp.from_index(sa.Index("ix_crmp_obs_raw_vars_id", t.c.vars_id))
    real = ops.AddColumnOp("obs_raw", sa.Column("note", sa.Text), schema=SCHEMA)
    script = script_for(ops.ModifyTableOps("obs_raw", [drop, real], schema=SCHEMA))
    ctx = context()
    filters.process_revision_directives(ctx, None, [script])

    assert [type(o).__name__ for o in script.upgrade_ops.ops[0].ops] == ["AddColumnOp"]
    block = ctx.opts["template_args"][REPORT_TEMPLATE_ARG]
    assert all(line.startswith("#") for line in block.splitlines())
    assert "[legacy-table] Legacy table kept by CRMP scripts." in block
    assert "index crmp.obs_raw.ix_crmp_obs_raw_vars_id: exists only in the database" in block
    assert "Stale rules" in block and "[never-matches]" in block
    assert "legacy-function" in block  # matched nothing either
    console = stream.getvalue()
    assert "2 known divergence(s) suppressed by 2 rule(s)" in console
    assert "stale rule(s), matched nothing: legacy-function, never-matches" in console
    report = ctx.config.attributes[REPORT_ATTRIBUTE]
    assert report.remaining == 1
    # State is per run: the next run starts with no suppressions.
    assert filters.matcher.suppressions == []


def test_strict_mode_makes_stale_rules_an_error():
    filters, _ = make_filters(strict=True)
    filters.include_name(SCHEMA, "schema", {})
    with pytest.raises(
        StaleRulesError, match="legacy-table, legacy-function, extra-index, never-m"
    ):
        filters.process_revision_directives(context(), None, [script_for()])


def test_empty_result_writes_no_file_from_the_cli_only():
    filters, stream = make_filters()
    filters.include_name(SCHEMA, "schema", {})
    directives = [script_for()]
    filters.process_revision_directives(context(argparse.Namespace()), None, directives)
    assert len(directives) == 1  # programmatic / `alembic check`: the script stays
    assert "no changes" in stream.getvalue()

    filters.include_name(SCHEMA, "schema", {})
    cli = argparse.Namespace(autogenerate=True)
    filters.process_revision_directives(context(cli), None, directives)
    assert directives == []  # `alembic revision --autogenerate`: no empty file


def test_not_an_autogenerate_run_is_left_alone():
    filters, stream = make_filters(strict=True)
    seen = []
    filters.chain(lambda ctx, rev, directives: seen.append(len(directives)))
    directives = [script_for()]
    filters.process_revision_directives(context(), None, directives)  # nothing was compared
    assert seen == [1] and directives and stream.getvalue() == ""


def test_chained_hooks_run_after_the_filter():
    filters, _ = make_filters()
    seen = []

    def after(ctx, rev, directives):
        seen.append([type(o).__name__ for o in directives[0].upgrade_ops.ops])

    filters.chain(after)
    filters.include_name(SCHEMA, "schema", {})
    legacy = ops.DropTableOp.from_table(reflected_table("meta_alias"))
    filters.process_revision_directives(context(), None, [script_for(legacy)])
    assert seen == [[]]


def test_grant_entities_are_filtered_by_table_and_role():
    from alembic_utils.pg_grant_table import PGGrantTable

    registry = parse_registry(
        """[[rule]]
id = "crmprtd-grants"
kind = "grant"
table = "obs_raw|meta_(history|station|network|vars)"
name = "crmprtd"
difference = "db_only"
reason = "Loader grants are managed by CRMP's permissions script."
""",
        source="grants.toml",
    )
    filters = AutogenFilters(registry, schema=SCHEMA, stream=io.StringIO())
    granted = PGGrantTable(SCHEMA, "obs_raw", "crmprtd", "INSERT", columns=["datum"])
    other_role = PGGrantTable(SCHEMA, "obs_raw", "httpd", "INSERT", columns=["datum"])
    assert not filters.include_object(granted, "x", "grant_table", True, None)
    assert filters.include_object(other_role, "x", "grant_table", True, None)
