"""Before/after cases for rewriters.schema_name (each also checked for idempotence)."""

# ruff: noqa: E501  (cases reproduce Alembic's long rendered lines verbatim)

from __future__ import annotations

import pytest

from rewriters.config import RewriteConfig
from tests.rewriters.rewriters_testlib import HEADER, IMPORTED_HEADER, dedent, run_schema

REWRITES = [
    pytest.param(
        "op.add_column('t', sa.Column('x', sa.Integer()), schema='crmp')\n",
        "op.add_column('t', sa.Column('x', sa.Integer()), schema=schema_name)\n",
        id="schema-keyword",
    ),
    pytest.param(
        'op.drop_table("t", schema="crmp")\n',
        'op.drop_table("t", schema=schema_name)\n',
        id="double-quoted-schema",
    ),
    pytest.param(
        "op.create_foreign_key('fk', 'a', 'b', ['x'], ['y'], source_schema='crmp', "
        "referent_schema='crmp')\n",
        "op.create_foreign_key('fk', 'a', 'b', ['x'], ['y'], source_schema=schema_name, "
        "referent_schema=schema_name)\n",
        id="source-and-referent-schema",
    ),
    pytest.param(
        "with op.batch_alter_table('t', schema='crmp') as batch_op:\n"
        "    batch_op.drop_column('x')\n",
        "with op.batch_alter_table('t', schema=schema_name) as batch_op:\n"
        "    batch_op.drop_column('x')\n",
        id="batch-op",
    ),
    pytest.param(
        "sa.Column('s', sa.Integer(), sa.ForeignKey('crmp.meta_station.station_id'))\n",
        "sa.Column('s', sa.Integer(), sa.ForeignKey(f'{schema_name}.meta_station.station_id'))\n",
        id="fk-target-string",
    ),
    pytest.param(
        "sa.ForeignKeyConstraint(['s'], ['crmp.meta_station.station_id', 'public.x.y'])\n",
        "sa.ForeignKeyConstraint(['s'], [f'{schema_name}.meta_station.station_id', 'public.x.y'])\n",
        id="fk-constraint-refcolumns",
    ),
    pytest.param(
        "sa.Table('t', sa.MetaData(), sa.Column('a', sa.Integer()), schema='crmp')\n",
        "sa.Table('t', sa.MetaData(), sa.Column('a', sa.Integer()), schema=schema_name)\n",
        id="sa-table",
    ),
    pytest.param(
        'v = PGView(schema="crmp", signature="v", definition="SELECT * FROM crmp.meta_history")\n',
        'v = PGView(schema=schema_name, signature="v", '
        'definition=f"SELECT * FROM {schema_name}.meta_history")\n',
        id="pgview-schema-and-definition",
    ),
    pytest.param(
        'v = PGMaterializedView("crmp", "mv", "SELECT 1 FROM crmp.obs_raw", True)\n',
        'v = PGMaterializedView(schema_name, "mv", f"SELECT 1 FROM {schema_name}.obs_raw", True)\n',
        id="pgmatview-positional",
    ),
    pytest.param(
        't = PGTrigger(schema="crmp", signature="trg", on_entity="crmp.meta_network", '
        'definition="AFTER INSERT ON crmp.meta_network FOR EACH ROW EXECUTE FUNCTION crmp.f()")\n',
        't = PGTrigger(schema=schema_name, signature="trg", on_entity=f"{schema_name}.meta_network", '
        'definition=f"AFTER INSERT ON {schema_name}.meta_network FOR EACH ROW EXECUTE FUNCTION '
        '{schema_name}.f()")\n',
        id="pgtrigger-on-entity",
    ),
    pytest.param(
        'f = PGFunction(schema="crmp", signature="f()", definition="RETURNS int LANGUAGE plpgsql '
        'AS $$ BEGIN RETURN (SELECT count(*) FROM crmp.obs_raw); END $$")\n',
        'f = PGFunction(schema=schema_name, signature="f()", definition=f"RETURNS int LANGUAGE '
        'plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM {schema_name}.obs_raw); END $$")\n',
        id="pgfunction-plpgsql-body",
    ),
    pytest.param(
        "op.execute(\"UPDATE crmp.meta_vars SET x = '{a}' WHERE y = 1\")\n",
        "op.execute(f\"UPDATE {schema_name}.meta_vars SET x = '{{a}}' WHERE y = 1\")\n",
        id="execute-braces-escaped",
    ),
    pytest.param(
        'op.execute(sa.text("DROP VIEW crmp.v"))\n',
        'op.execute(sa.text(f"DROP VIEW {schema_name}.v"))\n',
        id="execute-text",
    ),
    pytest.param(
        "op.execute('SELECT 1 FROM \"crmp\".t')\n",
        "op.execute(f'SELECT 1 FROM \"{schema_name}\".t')\n",
        id="execute-quoted-identifier",
    ),
    pytest.param(
        "op.execute('''\n    CREATE INDEX i ON crmp.obs_raw (x)\n''')\n",
        "op.execute(f'''\n    CREATE INDEX i ON {schema_name}.obs_raw (x)\n''')\n",
        id="execute-triple-quoted",
    ),
    pytest.param(
        "op.execute('SELECT 1 FROM crmp.t WHERE a = \\'x\\'')\n",
        "op.execute(f'SELECT 1 FROM {schema_name}.t WHERE a = \\'x\\'')\n",
        id="execute-with-escapes",
    ),
    pytest.param(
        "sa.Column('id', sa.INTEGER(), "
        "server_default=sa.text(\"nextval('crmp.t_id_seq'::regclass)\"))\n",
        "sa.Column('id', sa.INTEGER(), "
        "server_default=sa.text(f\"nextval('{schema_name}.t_id_seq'::regclass)\"))\n",
        id="server-default-regclass",
    ),
]


@pytest.mark.parametrize(("body", "expected"), REWRITES)
def test_rewrites(body: str, expected: str) -> None:
    output, diagnostics = run_schema(HEADER + body)
    assert output == IMPORTED_HEADER + expected
    assert diagnostics == []
    again, _ = run_schema(output)
    assert again == output


UNCHANGED = [
    pytest.param("op.drop_table('t', schema='public')\n", id="public-schema"),
    pytest.param("op.drop_table('t', schema=schema_name)\n", id="already-rewritten"),
    pytest.param("op.drop_table('crmp')\n", id="table-named-like-schema-positional"),
    pytest.param("op.alter_column('t', 'c', comment='see crmp docs')\n", id="other-literal"),
    pytest.param('"""Docstring naming crmp.meta_station."""\n', id="docstring"),
    pytest.param("# op.drop_table('t', schema='crmp')\n", id="comment"),
    pytest.param("op.drop_table('t', schema='crmpx')\n", id="similar-name"),
    pytest.param(
        "def upgrade():\n    '''Moves crmp.obs_raw rows.'''\n    op.drop_table('t')\n",
        id="function-docstring",
    ),
    pytest.param("sa.ForeignKey('meta_station.station_id')\n", id="unqualified-fk"),
    pytest.param("op.execute('SELECT 1 FROM public.crmp_x')\n", id="sql-no-qualified-schema"),
]


@pytest.mark.parametrize("body", UNCHANGED)
def test_unchanged(body: str) -> None:
    source = HEADER + body
    output, _ = run_schema(source)
    assert output == source


REPORTED = [
    pytest.param(
        "op.execute(\"INSERT INTO crmp.t VALUES ('crmp.t')\")\n",
        "SQL left unchanged: schema name inside an SQL string literal",
        id="sql-literal-mentions-schema",
    ),
    pytest.param(
        'op.execute("SELECT 1 FROM crmp.t -- from crmp.t")\n',
        "SQL left unchanged: schema name inside an SQL comment",
        id="sql-comment-mentions-schema",
    ),
    pytest.param(
        'f = PGFunction(schema="public", signature="f()", definition="RETURNS int LANGUAGE '
        "plpython3u AS $$ return plpy.execute('SELECT 1 FROM crmp.t') $$\")\n",
        "dollar-quoted body of a non-SQL language",
        id="plpython-body",
    ),
    pytest.param(
        'op.execute("SELECT 1 FROM crmp.t WHERE x = %s" % value)\n',
        "string names the schema and was not rewritten",
        id="percent-formatted-sql",
    ),
    pytest.param(
        "helper('crmp')\n", "schema literal 'crmp' not in a known place", id="bare-literal"
    ),
]


@pytest.mark.parametrize(("body", "message"), REPORTED)
def test_reported_and_left_alone(body: str, message: str) -> None:
    source = HEADER + body
    output, diagnostics = run_schema(source)
    assert output == source
    assert len(diagnostics) == 1
    line, text = diagnostics[0].split(": ", 1)
    assert line == "4"
    assert message in text


def test_module_level_schema_name_literal_becomes_call() -> None:
    source = HEADER + "schema_name = 'crmp'\nop.drop_table('t', schema='crmp')\n"
    output, _ = run_schema(source)
    assert output == (
        "from alembic import op\nimport sqlalchemy as sa\nfrom pycds import get_schema_name\n\n"
        "schema_name = get_schema_name()\nop.drop_table('t', schema=schema_name)\n"
    )


def test_existing_import_and_variable_are_reused() -> None:
    source = dedent(
        """
        from alembic import op
        from pycds.context import get_schema_name

        schema_name = get_schema_name()


        def upgrade():
            op.drop_table('t', schema='crmp')
        """
    )
    output, _ = run_schema(source)
    assert output == source.replace("schema='crmp'", "schema=schema_name")


def test_local_rebinding_blocks_and_reports() -> None:
    source = HEADER + "def helper(schema_name):\n    op.drop_table('t', schema='crmp')\n"
    output, diagnostics = run_schema(source)
    assert output == source
    assert diagnostics == ["5: 'schema_name' is rebound locally; schema literal not rewritten"]


def test_local_schema_call_variable_is_used() -> None:
    source = (
        "from pycds import get_schema_name\n\n"
        "def upgrade():\n    schema_name = get_schema_name()\n    op.drop_table('t', schema='crmp')\n"
    )
    output, _ = run_schema(source)
    # The local variable already holds the schema call: no module-level variable is added.
    assert output == source.replace("schema='crmp'", "schema=schema_name")


def test_configured_schemas_and_call() -> None:
    config = RewriteConfig(schemas=("crmp", "metnorth"), schema_call="mypkg.schemas.current")
    source = HEADER + "op.drop_table('a', schema='metnorth')\nop.drop_table('b', schema='crmp')\n"
    output, _ = run_schema(source, config)
    assert output == (
        "from alembic import op\nimport sqlalchemy as sa\nfrom mypkg.schemas import current\n\n"
        "schema_name = current()\n\n"
        "op.drop_table('a', schema=schema_name)\nop.drop_table('b', schema=schema_name)\n"
    )


def test_variable_inserted_after_docstring_and_imports() -> None:
    source = dedent(
        '''
        """Add a column.

        Revision ID: 1
        """
        from alembic import op

        # revision identifiers, used by Alembic.
        revision = "1"


        def upgrade():
            op.drop_column("t", "c", schema="crmp")
        '''
    )
    output, _ = run_schema(source)
    assert output == dedent(
        '''
        """Add a column.

        Revision ID: 1
        """
        from alembic import op
        from pycds import get_schema_name

        schema_name = get_schema_name()

        # revision identifiers, used by Alembic.
        revision = "1"


        def upgrade():
            op.drop_column("t", "c", schema=schema_name)
        '''
    )
