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

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from pycds import get_schema_name
from pycds.replaceables import declared_entities
from pycds.tracking import HISTORY_TRACKED, hx_id_name, hx_table_name
from tests.autogen_filters.test_end_to_end import config_for
from tests.helpers.orm_changes import renamed_state, tracked_state, upgrade_calls

pytestmark = [pytest.mark.db, pytest.mark.slow]

SCHEMA = get_schema_name()
SPARE_VALUE = "spare value"


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
        # The history table's standard grants list its columns: the changed ones.
        entities = declared_entities(get_schema_name(), metadata)
        config = config_for(head_db, tmp_path, metadata=metadata, entities=entities)
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


@pytest.mark.parametrize("table", HISTORY_TRACKED)
def test_table_rename_keeps_tracking(head_db: str, tmp_path: Path, table: str) -> None:
    new = NEW_NAMES[table]
    metadata, entities = renamed_state(table, new)
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
