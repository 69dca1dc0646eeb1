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
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from pycds import get_schema_name
from pycds.orm.history import make_hx_table
from pycds.tracking import HISTORY_TRACKED, hx_id_name, hx_table_name
from tests.autogen_filters.test_end_to_end import config_for, copy_metadata
from tests.pycds.replaceables.seed import observe, seed

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


def exercise(url: str, table: str, spare: str | None) -> None:
    """Insert, update and delete a row of every tracked table; check the history tables.

    The update of ``table`` writes :data:`SPARE_VALUE` into column ``spare`` (if any), which
    the history row of that update must hold. Rolled back afterwards.
    """
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    s = SCHEMA
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            data = seed(conn, s)
            obs_id = observe(conn, s, data.daily_history_id, data.tmax_id, "2020-01-01", 1.0)
            ids = {
                "meta_network": ("network_id", data.network_id),
                "meta_station": ("station_id", data.station_id),
                "meta_history": ("history_id", data.daily_history_id),
                "meta_vars": ("vars_id", data.tmax_id),
                "obs_raw": ("obs_raw_id", obs_id),
            }
            for name, (key, value) in ids.items():
                assignment = f"{spare} = :spare" if name == table and spare else f"{key} = {key}"
                conn.execute(
                    sa.text(f"UPDATE {s}.{name} SET {assignment} WHERE {key} = :id"),
                    {"id": value, "spare": SPARE_VALUE},
                )
            for name, key, value in (
                ("obs_raw", "obs_raw_id", obs_id),
                ("meta_vars", "network_id", data.network_id),
                ("meta_history", "station_id", data.station_id),
                ("meta_station", "station_id", data.station_id),
                ("meta_network", "network_id", data.network_id),
            ):
                conn.execute(sa.text(f"DELETE FROM {s}.{name} WHERE {key} = :id"), {"id": value})
            for name, (key, value) in ids.items():
                rows = conn.execute(
                    sa.text(
                        f"SELECT * FROM {s}.{hx_table_name(name)} WHERE {key} = :id"
                        f" ORDER BY {hx_id_name(name)}"
                    ),
                    {"id": value},
                ).all()
                assert [row.deleted for row in rows] == [False, False, True], name
                if name == table and spare:
                    assert [getattr(row, spare) for row in rows] == [
                        None,
                        SPARE_VALUE,
                        SPARE_VALUE,
                    ]
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
    exercise(head_db, table, None)
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
