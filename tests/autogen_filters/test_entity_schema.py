"""Entity ops come out of autogenerate with the schema as a variable (issue 9, item 3).

Run in schema crmp and in schema other (``make test`` does both): a draft generated in
either never spells the schema out, in a signature (``variable_tags(var crmp.meta_vars)``),
a definition, a trigger's table or the SQL run after an entity, and it applies and
downgrades in that schema.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.operations import ops
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_view import PGView

from autogen_filters.entity_schema import make_entity_schema_writer
from autogen_filters.replaceables.ops import CreateEntityOp
from pycds.replaceables import all_entities, declared_entities
from tests.autogen_filters.test_end_to_end import SCHEMA, check_clean, config_for

SCHEMA_WORD = re.compile(rf"\b{SCHEMA}\.")


def _function_bodies(script_path: str) -> dict[str, str]:
    """Source of ``upgrade()`` and ``downgrade()``."""
    source = Path(script_path).read_text()
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def _changed_variable_tags(entities: list) -> list:
    """variable_tags tags the other variables 'obs' instead of 'observation'."""
    return [
        PGFunction(e.schema, e.signature, e.definition.replace("['observation']", "['obs']"))
        if e.type_ == "function" and e.signature.startswith("variable_tags")
        else e
        for e in entities
    ]


@pytest.mark.db
@pytest.mark.slow
def test_changed_variable_tags_draft_names_no_schema(head_db: str, tmp_path: Path) -> None:
    entities = _changed_variable_tags(list(declared_entities(SCHEMA)))
    config = config_for(head_db, tmp_path, entities=entities)
    script = command.revision(
        config, message="variable_tags", autogenerate=True, version_path=str(tmp_path)
    )
    bodies = _function_bodies(script.path)
    text = bodies["upgrade"] + bodies["downgrade"]
    assert 'signature=f"variable_tags(var {schema_name}.meta_vars)"' in bodies["upgrade"], text
    assert "replace_entity(variable_tags)" in bodies["downgrade"]
    assert "schema=schema_name" in text
    assert not SCHEMA_WORD.search(text), text
    command.upgrade(config, "head")
    check_clean(config)  # the new definition is live
    command.downgrade(config, "-1")
    Path(script.path).unlink()
    check_clean(config_for(head_db, tmp_path))  # and the old one is back


@pytest.mark.db
@pytest.mark.slow
def test_probe_parametrises_a_plpython_body(head_db: str, tmp_path: Path) -> None:
    # The live getstationvariabletable differs from pycds's (an extra comment): the draft
    # puts pycds's back. Its PL/Python body names the schema inside Python strings, which
    # no SQL lexer can call a qualifier; building the entities for another schema can.
    (declared,) = [
        e
        for e in all_entities(SCHEMA)
        if e.type_ == "function" and e.signature.startswith("getstationvariabletable")
    ]
    assert SCHEMA_WORD.search(declared.definition)
    with sa.create_engine(head_db, poolclass=sa.NullPool).begin() as conn:
        body, end = declared.definition.rsplit("$$", 1)
        older = PGFunction(declared.schema, declared.signature, f"{body}# old\n$${end}")
        conn.execute(older.to_sql_statement_create_or_replace().__next__())
    config = config_for(head_db, tmp_path)
    script = command.revision(
        config, message="plpython", autogenerate=True, version_path=str(tmp_path)
    )
    bodies = _function_bodies(script.path)
    assert "replace_entity(getstationvariabletable)" in bodies["upgrade"]
    assert not SCHEMA_WORD.search(bodies["upgrade"]), bodies["upgrade"]
    assert "{schema_name}.meta_vars" in bodies["upgrade"]
    command.upgrade(config, "head")
    check_clean(config)


def _writer_run(*operations: ops.MigrateOperation, probe=None) -> tuple[str, list[str]]:
    from alembic.autogenerate import render_python_code

    writer = make_entity_schema_writer("crmp", probe=probe)
    upgrade = ops.UpgradeOps(ops=list(operations))
    script = ops.MigrationScript("x", upgrade, upgrade.reverse())
    writer.process_revision_directives(None, None, [script])
    return render_python_code(script.upgrade_ops), writer.ambiguities


def test_only_the_managed_schema_and_only_qualifiers_are_replaced() -> None:
    view = PGView(
        "crmp",
        "v",
        "SELECT 'crmp.t is a table' AS note, x.a FROM crmp.t AS x JOIN public.u ON true",
    )
    other = PGView("elsewhere", "w", "SELECT 1 FROM crmp.t")
    rendered, ambiguities = _writer_run(
        CreateEntityOp(view, extra_sql=["GRANT SELECT ON crmp.v TO viewer"]),
        CreateEntityOp(other),
    )
    # The literal mentions the schema: the definition stays as it is, and says so.
    assert "definition=\"SELECT 'crmp.t is a table'" in rendered
    assert ambiguities == [
        "PGView: crmp.v definition: schema name left as it is"
        " (schema name inside an SQL string literal)"
    ]
    assert "op.execute(f'GRANT SELECT ON {schema_name}.v TO viewer')" in rendered
    assert "schema=schema_name" in rendered
    # An entity of another schema is rendered by alembic-utils, untouched.
    assert 'schema="elsewhere"' in rendered and "FROM crmp.t" in rendered


def test_braces_in_a_definition_survive_the_f_string() -> None:
    function = PGFunction(
        "crmp",
        "f()",
        "RETURNS text[] LANGUAGE sql AS $$ SELECT '{a,b}'::text[] || crmp.g() $$",
    )
    rendered, ambiguities = _writer_run(CreateEntityOp(function))
    assert ambiguities == []
    namespace: dict = {}
    (assignment,) = [
        line for line in rendered.splitlines() if line.strip().startswith("definition=")
    ]
    exec("schema_name = 'other'\nvalue = " + assignment.split("=", 1)[1].rstrip(","), namespace)
    assert namespace["value"] == (
        "RETURNS text[] LANGUAGE sql AS $$ SELECT '{a,b}'::text[] || other.g() $$"
    )


def test_trigger_table_and_function_are_parametrised() -> None:
    from alembic_utils.pg_trigger import PGTrigger

    trigger = PGTrigger(
        schema="crmp",
        signature="t100_audit",
        on_entity="crmp.meta_network",
        definition="AFTER INSERT ON crmp.meta_network FOR EACH ROW EXECUTE FUNCTION crmp.audit()",
    )
    rendered, ambiguities = _writer_run(CreateEntityOp(trigger))
    assert ambiguities == []
    assert "meta_network_t100_audit = PGTrigger(" in rendered
    assert "on_entity=f'{schema_name}.meta_network'" in rendered
    assert "EXECUTE FUNCTION {schema_name}.audit()" in rendered
    assert "is_constraint=False" in rendered


def test_a_grant_renders_with_its_constructor_arguments() -> None:
    # PGGrantTable takes no signature or definition: its identity is derived from its fields.
    from alembic_utils.pg_grant_table import PGGrantTable

    grant = PGGrantTable(
        schema="crmp", table="obs_with_flags", role="viewer", grant="SELECT", columns=["b", "a"]
    )
    rendered, ambiguities = _writer_run(CreateEntityOp(grant))
    assert ambiguities == []
    pattern = r"obs_with_flags_viewer_select = PGGrantTable\(.*?\n\s*\)\n"
    (code,) = re.findall(pattern, rendered, re.S)
    namespace: dict = {"PGGrantTable": PGGrantTable, "schema_name": "other"}
    exec(textwrap.dedent("    " + code), namespace)
    built = namespace["obs_with_flags_viewer_select"]
    assert built.identity == "PGGrantTable: other.obs_with_flags.viewer.SELECT"
    assert built.columns == ["a", "b"] and built.with_grant_option is False
