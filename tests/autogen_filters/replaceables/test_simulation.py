"""The single-savepoint simulation: wrong guessed orders recover, broken entities fail clearly,
and nothing it does survives the comparison."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic_utils.pg_view import PGView

from autogen_filters.replaceables import SimulationError, read_live, simulate
from autogen_filters.replaceables.depends import creation_order, dependents_closure


@pytest.fixture
def conn(cmp_engine, schema):
    with cmp_engine.connect() as connection, connection.begin():
        yield connection
        connection.rollback()


def test_order_the_names_do_not_reveal_is_found_by_retrying(conn, schema):
    s = schema
    # U&"\0062ase" is PostgreSQL for "base": the name-based guess cannot see the dependency,
    # so the first round fails and the simulation retries with "top" moved last.
    entities = [
        PGView(s, "top", f'select one from {s}.U&"\\0062ase"'),
        PGView(s, "base", "select 1 as one"),
    ]
    result = simulate(conn, entities, read_live(conn, [s]))
    assert result.rounds > 1
    assert [e.signature for e in result.order] == ["base", "top"]
    assert result.of(entities[0]).entity.signature == "top"
    assert "base" in result.of(entities[0]).entity.definition
    assert read_live(conn, [s]) == []  # rolled back


def test_broken_entity_raises_a_clear_error(conn, schema):
    s = schema
    entities = [
        PGView(s, "ok", "select 1 as one"),
        PGView(s, "broken", f"select nothing from {s}.no_such_table"),
    ]
    with pytest.raises(SimulationError, match="broken"):
        simulate(conn, entities, read_live(conn, [s]))
    assert conn.scalar(sa.text("select 1")) == 1  # the connection is still usable


def test_creation_order_respects_needs_and_survives_cycles():
    needs = {"c": {"b"}, "b": {"a"}, "x": {"y"}, "y": {"x"}}
    order = creation_order(["c", "b", "a", "x", "y"], needs, rank=lambda k: k)
    assert order.index("a") < order.index("b") < order.index("c")
    assert sorted(order) == ["a", "b", "c", "x", "y"]


def test_dependents_closure_is_transitive_and_includes_dependent_roots():
    needs = {"v2": {"v1"}, "m": {"v2"}, "f": {"v1"}, "other": {"t"}}
    assert dependents_closure(needs, ["v1"]) == {"v2", "m", "f"}
    assert dependents_closure(needs, ["v1", "v2"]) == {"v2", "m", "f"}
