"""ORM states a developer would produce, for autogenerate tests: built from pycds's ORM and
entities without touching them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sqlalchemy as sa
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.replaceable_entity import ReplaceableEntity

import pycds.orm.history
import pycds.replaceables.history
import pycds.tracking
from pycds import get_schema_name
from pycds.orm import metadata as pycds_metadata
from pycds.orm.history import make_hx_table
from pycds.replaceables import all_entities, standard_grants
from pycds.tracking import HISTORY_TRACKED, HX_FOREIGN_KEYS, hx_table_name
from tests.autogen_filters.test_end_to_end import copy_metadata

SCHEMA = get_schema_name()


def tracked_state(table: str, column: sa.Column | None) -> sa.MetaData:
    """pycds's ORM with ``column`` appended to ``table`` and the history table re-derived."""
    metadata = copy_metadata()
    main = metadata.tables[f"{SCHEMA}.{table}"]
    if column is not None:
        main.append_column(column)
    metadata.remove(metadata.tables[f"{SCHEMA}.{hx_table_name(table)}"])
    make_hx_table(main)
    return metadata


def upgrade_calls(script_path: str) -> list[tuple[str, str]]:
    """``(op name, table)`` of every ``op.*`` call in ``upgrade()`` that names a table."""
    tree = ast.parse(Path(script_path).read_text())
    [body] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"]
    calls = []
    for node in ast.walk(body):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "op"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            calls.append((node.func.attr, node.args[0].value))
    return sorted(calls)


def renamed_state(old: str, new: str) -> tuple[sa.MetaData, list[ReplaceableEntity]]:
    """pycds's ORM and entities as a developer would leave them after renaming table ``old``
    to ``new`` everywhere: the table, foreign keys to it, ``pycds.tracking`` (hence the history
    table, its key, the foreign history ids and the triggers), and the SQL of every entity.
    """
    # old, old_hx, old_hx_id; never old_id or old_something.
    word = re.compile(rf"\b{old}((?:_hx(?:_id)?)?)\b")

    def sub(text: str) -> str:
        return word.sub(lambda match: new + match.group(1), text)

    foreign_keys = {
        sub(table): tuple((sub(f), column) for f, column in pairs)
        for table, pairs in HX_FOREIGN_KEYS.items()
    }

    def rebuilt(entity: ReplaceableEntity) -> ReplaceableEntity:
        fields = {
            "schema": entity.schema,
            "signature": sub(entity.signature),
            "definition": sub(entity.definition),
        }
        if isinstance(entity, PGTrigger):
            fields["on_entity"] = sub(entity.on_entity)
        return type(entity)(**fields)

    def renamed_grant(grant: PGGrantTable) -> PGGrantTable:
        # A grant on a renamed (history) table names it, and lists its renamed columns.
        table = metadata.tables.get(f"{SCHEMA}.{sub(grant.table)}")
        columns = [c.name for c in table.columns] if table is not None else grant.columns
        return PGGrantTable(
            schema=grant.schema,
            table=sub(grant.table),
            role=grant.role,
            grant=grant.grant,
            columns=columns if grant.columns else None,
            with_grant_option=grant.with_grant_option,
        )

    # The history tables and triggers are derived from pycds.tracking: derive them from the
    # renamed version, then put pycds's own back.
    modules = (pycds.tracking, pycds.orm.history, pycds.replaceables.history)
    for module in modules:
        module.HX_FOREIGN_KEYS = foreign_keys
    try:
        metadata = sa.MetaData(
            schema=pycds_metadata.schema, naming_convention=pycds_metadata.naming_convention
        )
        history_tables = {hx_table_name(table) for table in HISTORY_TRACKED}
        for table in pycds_metadata.tables.values():
            if table.name not in history_tables:
                table.to_metadata(metadata, name=sub(table.name))
        for table in metadata.tables.values():
            for element in (e for c in table.foreign_key_constraints for e in c.elements):
                # SQLAlchemy copies foreign keys by target name; point them at the new name.
                element._given_tokens = element._given_tokens._replace(
                    table_name=sub(element._given_tokens.table_name)
                )
        for table in foreign_keys:
            make_hx_table(metadata.tables[f"{SCHEMA}.{table}"])
        entities = [rebuilt(entity) for entity in all_entities(SCHEMA)]
        entities += [renamed_grant(grant) for grant in standard_grants(SCHEMA)]
    finally:
        for module in modules:
            module.HX_FOREIGN_KEYS = HX_FOREIGN_KEYS
    return metadata, entities
