"""``Base.metadata.create_all`` builds what the ORM describes, and the view classes describe
the views the migrations build.

- Alembic's ``compare_metadata`` of the ORM against a ``create_all``'d database, limited to
  the configured schema, finds nothing (clients build test databases this way).
- Each view and matview class has the columns, in order, of the relation at head, with types
  that Alembic's own type comparison finds equal.
"""

from __future__ import annotations

import geoalchemy2.alembic_helpers  # noqa: F401  (reflects geometry columns)
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pycds import Base, get_schema_name
from pycds.localdb import provision
from pycds.orm.view_base import ViewBase
from tests.pycds.api.test_client_style import create_all_database

pytestmark = pytest.mark.db


def _in_schema(name, type_, parent_names) -> bool:
    return type_ != "schema" or name == get_schema_name()


# Alembic's own kinds: alembic-utils, once imported, also offers functions and views of
# every schema (``public``'s PostGIS views...), which ``create_all`` is not about.
TABLE_KINDS = {"table", "column", "index", "unique_constraint", "foreign_key_constraint"}


def _table_objects(obj, name, type_, reflected, compare_to) -> bool:
    return type_ in TABLE_KINDS


def _differences(conn: sa.Connection) -> list:
    context = MigrationContext.configure(
        conn,
        opts={
            "include_schemas": True,
            "include_name": _in_schema,
            "include_object": _table_objects,
            "compare_type": True,
            "compare_server_default": True,
        },
    )
    return compare_metadata(context, Base.metadata)


def test_orm_compares_clean_against_a_create_all_database(pg_server_url):
    url = create_all_database(pg_server_url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            assert _differences(conn) == []
            # The comparison does look at this schema: a dropped index is seen.
            conn.exec_driver_sql(f"DROP INDEX {get_schema_name()}.mod_time_idx")
            assert [d[0] for d in _differences(conn)] == ["add_index"]
    finally:
        engine.dispose()
        provision.drop_database(pg_server_url, sa.make_url(url).database)


def test_no_view_class_is_in_the_orm_metadata():
    views = {table.name for table in ViewBase.metadata.sorted_tables}
    assert len(views) == 15  # 4 views + 11 matviews (crmp-facts section 1)
    assert views.isdisjoint(table.name for table in Base.metadata.sorted_tables)


@pytest.mark.parametrize("table", ViewBase.metadata.sorted_tables, ids=lambda t: t.name)
def test_view_class_types_are_the_real_ones(head_engine, table):
    with head_engine.connect() as conn:
        real = sa.Table(table.name, sa.MetaData(), schema=table.schema, autoload_with=conn)
        impl = MigrationContext.configure(conn).impl
        assert [c.name for c in real.columns] == [c.name for c in table.columns]
        for declared in table.columns:
            reflected = real.columns[declared.name]
            differs = impl.compare_type(reflected, declared)
            assert not differs, f"{declared.name}: class {declared.type!r}, real {reflected.type!r}"
        assert not table.primary_key.columns, "a view has no primary key (crmp-facts 7.9)"
