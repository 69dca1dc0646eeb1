"""History tracking survives every ORM change to a tracked table (issue 9, item 1).

For each tracked table, a spare column goes through every kind of change, each drafted by
autogenerate from a modified ORM (the history table derived from it, as in ``pycds.orm``):
added, renamed (ORM hint), retyped, dropped. After each upgrade, and after each downgrade on
the way back, inserts, updates and deletes on every tracked table still work and are
recorded in the history tables, the spare column's value included.

Before name-based copying, the added column landed after ``deleted`` and the hx id in the
history table, and the positional copy broke every write to the table.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.replaceable_entity import ReplaceableEntity

import pycds.orm.history
import pycds.replaceables.history
import pycds.tracking
from pycds import get_schema_name
from pycds.orm import metadata as pycds_metadata
from pycds.orm.history import make_hx_table
from pycds.replaceables import all_entities
from pycds.tracking import HISTORY_TRACKED, HX_FOREIGN_KEYS, hx_id_name, hx_table_name
from tests.autogen_filters.test_end_to_end import config_for, copy_metadata

pytestmark = [pytest.mark.db, pytest.mark.slow]

SCHEMA = get_schema_name()
SPARE_VALUE = "spare value"


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


# Tracked table -> its key column (unchanged by the renames tested here).
KEYS = {
    "meta_network": "network_id",
    "meta_station": "station_id",
    "meta_history": "history_id",
    "meta_vars": "vars_id",
    "obs_raw": "obs_raw_id",
}


def exercise(
    url: str,
    table: str | None = None,
    spare: str | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """Insert, update and delete a row of every tracked table; check the history tables.

    ``names`` maps a tracked table to its current name, if renamed. The update of ``table``
    writes :data:`SPARE_VALUE` into column ``spare`` (if any), which the history rows of
    that update and of the deletion must hold. Rolled back afterwards.
    """

    names = names or {}

    def t(name: str) -> str:
        return f"{SCHEMA}.{names.get(name, name)}"

    def hx(name: str) -> str:
        return f"{SCHEMA}.{hx_table_name(names.get(name, name))}"

    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn, conn.begin() as transaction:

            def insert(name: str, **values: object) -> int:
                columns, params = ", ".join(values), ", ".join(f":{k}" for k in values)
                sql = f"INSERT INTO {t(name)} ({columns}) VALUES ({params}) RETURNING {KEYS[name]}"
                return conn.execute(sa.text(sql), values).scalar_one()

            ids = {"meta_network": insert("meta_network", network_name="EC")}
            ids["meta_station"] = insert(
                "meta_station", native_id="1100031", network_id=ids["meta_network"]
            )
            ids["meta_history"] = insert(
                "meta_history", station_id=ids["meta_station"], station_name="Victoria"
            )
            ids["meta_vars"] = insert(
                "meta_vars",
                net_var_name="MAX_TEMP",
                standard_name="air_temperature",
                cell_method="time: maximum",
                display_name="Temperature (Max.)",
                network_id=ids["meta_network"],
            )
            ids["obs_raw"] = insert(
                "obs_raw",
                history_id=ids["meta_history"],
                vars_id=ids["meta_vars"],
                obs_time="2020-01-01",
                datum=1.0,
            )
            for name, value in ids.items():
                key = KEYS[name]
                assignment = f"{spare} = :spare" if name == table and spare else f"{key} = {key}"
                conn.execute(
                    sa.text(f"UPDATE {t(name)} SET {assignment} WHERE {key} = :id"),
                    {"id": value, "spare": SPARE_VALUE},
                )
            for name in reversed(list(ids)):
                conn.execute(
                    sa.text(f"DELETE FROM {t(name)} WHERE {KEYS[name]} = :id"), {"id": ids[name]}
                )
            for name, value in ids.items():
                hx_id = hx_id_name(names.get(name, name))
                rows = conn.execute(
                    sa.text(f"SELECT * FROM {hx(name)} WHERE {KEYS[name]} = :id ORDER BY {hx_id}"),
                    {"id": value},
                ).all()
                assert [row.deleted for row in rows] == [False, False, True], name
                if name == table and spare:
                    spares = [getattr(row, spare) for row in rows]
                    assert spares == [None, SPARE_VALUE, SPARE_VALUE]
            # The foreign history ids point at the referenced rows' history.
            (obs,) = conn.execute(
                sa.text(f"SELECT * FROM {hx('obs_raw')} ORDER BY 1 LIMIT 1")
            ).all()
            assert getattr(obs, hx_id_name(names.get("meta_vars", "meta_vars"))) is not None
            transaction.rollback()
    finally:
        engine.dispose()


# The spare column's life: each state of the ORM, the column's name in it (or None), and the
# ops expected on the tracked table and its history table in the draft reaching it.
STATES: list[tuple[str, Callable[[], sa.Column | None], str | None, str]] = [
    ("add", lambda: sa.Column("note", sa.String(40)), "note", "add_column"),
    (
        "rename",
        lambda: sa.Column("remark", sa.String(40), info={"renamed_from": "note"}),
        "remark",
        "alter_column",
    ),
    ("retype", lambda: sa.Column("remark", sa.Text), "remark", "alter_column"),
    ("drop", lambda: None, None, "drop_column"),
]


@pytest.mark.parametrize("table", HISTORY_TRACKED)
def test_every_column_change_keeps_tracking(head_db: str, tmp_path: Path, table: str) -> None:
    exercise(head_db)
    spares: list[str | None] = [None]
    for _, make_column, spare, expected_op in STATES:
        metadata = tracked_state(table, make_column())
        config = config_for(head_db, tmp_path, metadata=metadata)
        script = command.revision(
            config, message=f"{table} {expected_op}", autogenerate=True, version_path=str(tmp_path)
        )
        text = Path(script.path).read_text()
        assert upgrade_calls(script.path) == [
            (expected_op, table),
            (expected_op, hx_table_name(table)),
        ], text
        command.upgrade(config, "head")
        command.check(config)  # the draft reached the ORM: nothing real remains
        exercise(head_db, table, spare)
        spares.append(spare)
    for spare in reversed(spares[:-1]):
        command.downgrade(config_for(head_db, tmp_path), "-1")
        exercise(head_db, table, spare)


# A new name for each tracked table.
NEW_NAMES = {
    "meta_network": "networks",
    "meta_station": "stations",
    "meta_history": "histories",
    "meta_vars": "variables",
    "obs_raw": "observations",
}


def renamed_state(
    old: str, new: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[sa.MetaData, list[ReplaceableEntity]]:
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
    for module in (pycds.tracking, pycds.orm.history, pycds.replaceables.history):
        monkeypatch.setattr(module, "HX_FOREIGN_KEYS", foreign_keys)
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

    def rebuilt(entity: ReplaceableEntity) -> ReplaceableEntity:
        fields = {
            "schema": entity.schema,
            "signature": sub(entity.signature),
            "definition": sub(entity.definition),
        }
        if isinstance(entity, PGTrigger):
            fields["on_entity"] = sub(entity.on_entity)
        return type(entity)(**fields)

    return metadata, [rebuilt(entity) for entity in all_entities(SCHEMA)]


@pytest.mark.parametrize("table", HISTORY_TRACKED)
def test_table_rename_keeps_tracking(
    head_db: str, tmp_path: Path, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = NEW_NAMES[table]
    metadata, entities = renamed_state(table, new, monkeypatch)
    config = config_for(head_db, tmp_path, metadata=metadata, entities=entities)
    # Inferred as a rename (same columns); the history table follows as a companion.
    script = command.revision(
        config, message=f"rename {table}", autogenerate=True, version_path=str(tmp_path)
    )
    calls = upgrade_calls(script.path)
    assert ("rename_table", table) in calls and ("rename_table", hx_table_name(table)) in calls
    assert not any(name in {"create_table", "drop_table"} for name, _ in calls)
    for round_trip in range(2):
        command.upgrade(config, "head")
        if not round_trip:
            command.check(config)  # the draft reached the renamed ORM
        exercise(head_db, names={table: new})
        command.downgrade(config, "-1")
        exercise(head_db)
