"""Each kind reads what alembic-utils' own ``from_database`` reads (same identities, same
definitions), with one query for all schemas: policies, extensions, table and column grants
(the grant kind reads the ACLs instead of alembic-utils' ``information_schema`` views)."""

from __future__ import annotations

import pytest
from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.pg_policy import PGPolicy
from sqlalchemy.orm import Session

from autogen_filters.replaceables import read_live
from pycds import get_schema_name

SETUP = """
create role {s}_owner; create role {s}_reader; create role {s}_writer;
grant {s}_owner to {s}_writer;
create table {s}.t (id int primary key, a text, b text);
create table {s}.u (id int, a text);
create view {s}.v as select id, a from {s}.t;
grant select, delete on {s}.t to {s}_reader;
grant update (a), references (b) on {s}.t to {s}_reader with grant option;
grant insert (a) on {s}.u to {s}_writer;
grant trigger, truncate on {s}.v to {s}_writer;
grant select on {s}.v to public;
alter table {s}.u owner to {s}_owner;
grant select (id) on {s}.u to {s}_writer;
alter table {s}.t enable row level security;
create policy p1 on {s}.t for select to {s}_reader using (a is not null);
create policy "P two" on {s}.t as restrictive for update to {s}_reader, {s}_writer
    using (true) with check (b <> 'x');
create extension if not exists citext schema {s};
"""


def as_alembic_utils_sees(entities):
    return sorted((e.identity, e.definition) for e in entities)


@pytest.fixture
def conn(cmp_engine, schema):
    with cmp_engine.connect() as connection, connection.begin():
        connection.exec_driver_sql(SETUP.format(s=schema))
        yield connection
        connection.rollback()


@pytest.mark.parametrize("cls", [PGGrantTable, PGPolicy, PGExtension])
def test_read_equals_alembic_utils_from_database(conn, schema, cls):
    ours = [x.entity for x in read_live(conn, [schema], [cls])]
    assert ours, "the setup creates some of each kind"
    assert as_alembic_utils_sees(ours) == as_alembic_utils_sees(
        cls.from_database(Session(bind=conn), schema)
    )


def test_grants_of_the_pycds_schema_at_head(head_engine):
    schema = get_schema_name()
    with head_engine.connect() as conn:
        ours = [x.entity for x in read_live(conn, [schema], [PGGrantTable])]
        stock = PGGrantTable.from_database(Session(bind=conn), schema)
    assert len(ours) > 20
    assert as_alembic_utils_sees(ours) == as_alembic_utils_sees(stock)
