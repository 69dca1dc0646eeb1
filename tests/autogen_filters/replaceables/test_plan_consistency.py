"""Plans are consistent (issue 9 item 5): the simulation applies the planned drops, and a
declared entity that needs a dropped one is a one-line error naming both, instead of a plan that
drops it, drops what it needs and creates it again (which cannot run).

alembic-utils' ``test_op_drop_cascade`` scenario: two live views, B reads A, only B declared.
"""

from __future__ import annotations

import logging

import pytest
from alembic.util import CommandError
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.pg_view import PGView
from sqlalchemy.exc import ProgrammingError

from autogen_filters.replaceables import Registration, SimulationError

from .helpers import apply, autogenerate


@pytest.fixture
def conn(cmp_engine, schema):
    with cmp_engine.connect() as connection, connection.begin():
        yield connection
        connection.rollback()


def views(s):
    a = PGView(s, "A_view", "select 1::integer as one")
    b = PGView(s, "B_view", f'select * from {s}."A_view"')
    return a, b


def install(conn, *entities):
    for entity in entities:
        conn.execute(entity.to_sql_statement_create())


def test_declared_entity_needing_a_dropped_one_is_one_line_naming_both(conn, schema):
    a, b = views(schema)
    install(conn, a, b)
    with pytest.raises(SimulationError) as caught:
        autogenerate(conn, [b], [schema])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        f"cannot create view {schema}.B_view: it needs view {schema}.A_view, which this "
        "revision drops (no declared entity has its identity); PostgreSQL: relation "
    )
    assert message.endswith(
        f"hint: declare view {schema}.A_view, or change or stop declaring view {schema}.B_view"
    )
    assert isinstance(caught.value, ProgrammingError)  # the driver's UndefinedTable, wrapped


def test_new_entity_needing_a_dropped_one_is_named_too(conn, schema):
    a, _ = views(schema)
    install(conn, a)
    c = PGView(schema, "C_view", f'select one + 1 as two from {schema}."A_view"')
    with pytest.raises(
        SimulationError, match=f"view {schema}.C_view: it needs view {schema}.A_view"
    ):
        autogenerate(conn, [c], [schema])


def test_declaring_what_is_needed_gives_a_plan_that_runs(conn, schema):
    a, b = views(schema)
    install(conn, a, b)
    extra = PGView(schema, "extra", "select 2 as two")
    install(conn, extra)
    script = autogenerate(conn, [a, b], [schema])
    assert [op.to_diff_tuple()[:2] for op in script.upgrade_ops.ops] == [
        ("drop_entity", f"PGView: {schema}.extra")
    ]
    apply(conn, script.upgrade_ops)
    apply(conn, script.downgrade_ops)


def test_alembic_utils_behaviour_on_request_drop_alone_and_a_warning(conn, schema, caplog):
    """``drops_in_simulation=False`` (the alembic-utils entry point, ``compat``): the drop of A
    alone, B left in place (PostgreSQL refuses the drop without CASCADE), and a warning."""
    a, b = views(schema)
    install(conn, a, b)
    registration = Registration(entities=[b], schemas=(schema,), drops_in_simulation=False)
    with caplog.at_level(logging.WARNING, logger="autogen_filters.replaceables"):
        script = autogenerate(conn, [b], [schema], registration=registration)
    assert [op.to_diff_tuple()[:2] for op in script.upgrade_ops.ops] == [
        ("drop_entity", f"PGView: {schema}.A_view")
    ]
    assert f"declared PGView: {schema}.B_view needs PGView: {schema}.A_view" in caplog.text


def test_an_entity_postgresql_does_not_report_back_is_one_line(conn, schema):
    """A grant to a superuser is created but never read back (alembic-utils' grant model)."""
    conn.exec_driver_sql(f"CREATE TABLE {schema}.t (id int)")
    grant = PGGrantTable(schema=schema, table="t", role="postgres", grant="DELETE")
    with pytest.raises(CommandError, match=f"grant DELETE on {schema}.t to postgres was created"):
        autogenerate(conn, [grant], [schema])
