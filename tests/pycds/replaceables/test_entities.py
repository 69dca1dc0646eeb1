"""The entity collection: shape, round-trip through alembic-utils, other schemas, indexes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from sqlalchemy.orm import Session

from pycds import get_schema_name
from pycds.replaceables import (
    all_entities,
    dependents_of,
    matview_indexes,
    matviews,
    needs_su_role,
)

from .seed import insert


def test_all_entities_shape(schema: str) -> None:
    entities = all_entities()
    assert {e.schema for e in entities} == {schema}
    assert Counter(type(e).__name__ for e in entities) == {
        "PGFunction": 21,
        "PGTrigger": 16,
        "PGView": 4,
        "PGMaterializedView": 11,
    }
    assert len({e.identity for e in entities}) == len(entities)
    # Pure builders: two calls give equal, independent lists.
    assert [e.identity for e in all_entities()] == [e.identity for e in entities]
    assert all_entities()[0] is not entities[0]


def test_importing_registers_nothing() -> None:
    code = (
        "import pycds.replaceables\n"
        "from alembic_utils.replaceable_entity import registry\n"
        "assert registry.entities() == [], registry.entities()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rejects_unsafe_schema_names() -> None:
    with pytest.raises(ValueError, match="plain PostgreSQL identifier"):
        all_entities('crmp"; DROP TABLE x; --')


def test_definitions_survive_rendering_into_a_migration() -> None:
    """An entity rendered by alembic-utils into a revision and loaded again emits the same SQL.

    alembic-utils escapes ":" on construction; a PL/Python body with a single colon would be
    escaped twice on reload and gain a stray backslash.
    """
    classes = {cls.__name__: cls for cls in (PGFunction, PGTrigger, PGView, PGMaterializedView)}
    for entity in all_entities():
        namespace = dict(classes)
        exec(entity.render_self_for_migration(), namespace)
        (reloaded,) = [v for v in namespace.values() if isinstance(v, type(entity))]
        original_sql = str(entity.to_sql_statement_create().compile())
        assert str(reloaded.to_sql_statement_create().compile()) == original_sql, entity.identity


def assert_round_trips(conn: sa.Connection, schema: str, *, same_identity: bool = True) -> None:
    """alembic-utils sees no change for any entity (and reads back the same identity)."""
    session = Session(bind=conn)
    changed = []
    for entity in all_entities(schema):
        if entity.get_required_migration_op(session) is not None:
            changed.append(entity.identity)
        if same_identity:
            assert entity.get_database_definition(session).identity == entity.identity
    assert changed == []


def test_every_entity_round_trips(conn: sa.Connection, schema: str) -> None:
    assert_round_trips(conn, schema)


def test_round_trip_with_schema_on_search_path(conn: sa.Connection, schema: str) -> None:
    # PostgreSQL then prints visible names unqualified, so variable_tags' signature reads
    # back as "variable_tags(var meta_vars)": a different identity, but still no change.
    conn.exec_driver_sql(f"SET LOCAL search_path TO {schema}, public")
    assert_round_trips(conn, schema, same_identity=False)


def test_builds_and_tracks_history_in_another_schema(
    entities_database: Callable[[str], str],
) -> None:
    other = "other" if get_schema_name() != "other" else "elsewhere"
    # Nothing of the configured schema may leak into another schema's definitions.
    for entity in all_entities(other):
        assert f"{get_schema_name()}." not in entity.definition, entity.identity

    engine = sa.create_engine(entities_database(other), poolclass=sa.NullPool)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            network_id = insert(conn, other, "meta_network", "network_id", network_name="EC")
            insert(conn, other, "meta_station", "station_id", native_id="A", network_id=network_id)
            station_hx = conn.execute(
                sa.text(f"SELECT meta_network_hx_id FROM {other}.meta_station_hx")
            ).scalar_one()
            assert station_hx is not None
            assert_round_trips(conn, other)
            transaction.rollback()
    finally:
        engine.dispose()


def test_matview_indexes_exist(conn: sa.Connection, schema: str) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT i.relname AS name, t.relname AS matview, x.indisunique AS is_unique"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relkind = 'm' AND t.relnamespace = CAST(:s AS regnamespace)"
        ),
        {"s": schema},
    )
    found = {(r.name, r.matview, r.is_unique) for r in rows}
    assert found == {(i.name, i.matview, i.unique) for i in matview_indexes(schema)}
    assert {i.matview for i in matview_indexes(schema)} == {m.signature for m in matviews(schema)}


@pytest.mark.parametrize("matview", [m.signature for m in matviews()])
def test_dependents_of_lists_every_reader(conn: sa.Connection, schema: str, matview: str) -> None:
    (entity,) = [m for m in matviews(schema) if m.signature == matview]
    savepoint = conn.begin_nested()
    try:
        # Without CASCADE this fails if some reader is missing from dependents_of.
        for dependent in reversed(dependents_of(matview, schema)):
            conn.execute(dependent.to_sql_statement_drop())
        conn.execute(entity.to_sql_statement_drop())
    finally:
        savepoint.rollback()


def test_su_role_needed_exactly_for_plpython(conn: sa.Connection, schema: str) -> None:
    untrusted = set(
        conn.execute(
            sa.text(
                "SELECT p.proname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                " WHERE l.lanname = 'plpython3u' AND p.pronamespace = CAST(:s AS regnamespace)"
            ),
            {"s": schema},
        ).scalars()
    )
    flagged = {e.signature.split("(")[0] for e in all_entities(schema) if needs_su_role(e)}
    assert (
        flagged
        == untrusted
        == {
            "getstationvariabletable",
            "query_one_station",
            "query_one_station_climo",
        }
    )
