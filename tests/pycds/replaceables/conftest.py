"""Databases holding the CRMP tables plus every replaceable entity.

For the configured schema the tests use one clone of the suite's head template (the
migrations create the entities), so they also check what the migrations built. It is
cloned once per session rather than per test (``head_db``): each test gets a connection
inside a transaction that is rolled back, which keeps the suite cheap on 2 cores.

For any other schema (the template exists only for the configured one) the database is
built directly: extensions, schema, ``metadata.create_all`` with a schema translation, then
every entity of ``all_entities`` in order and the matview indexes.

Connections keep PostgreSQL's default ``search_path`` (``"$user", public``): the entities
must not depend on the schema being on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from pycds import get_schema_name
from pycds.localdb import provision
from pycds.orm import metadata
from pycds.replaceables import all_entities, matview_indexes


def build_entities_database(server_url: str, schema: str) -> str:
    """Create a fresh ``ent_*`` database with tables and entities in ``schema``; its URL."""
    name = f"ent_{schema}_{uuid.uuid4().hex[:10]}"
    url = provision.create_database(server_url, name)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for extension in ("postgis", "plpython3u", "citext"):
                conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {extension}")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            translated = conn.execution_options(schema_translate_map={get_schema_name(): schema})
            metadata.create_all(translated)
            for entity in all_entities(schema):
                conn.execute(entity.to_sql_statement_create())
            for index in matview_indexes(schema):
                conn.exec_driver_sql(index.create_sql())
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def entities_database(pg_server_url: str) -> Callable[[str], str]:
    """Factory: URL of a database built for a schema (once per schema per session)."""
    built: dict[str, str] = {}

    def get(schema: str) -> str:
        if schema not in built:
            built[schema] = build_entities_database(pg_server_url, schema)
        return built[schema]

    yield get
    for url in built.values():
        provision.drop_database(pg_server_url, sa.engine.make_url(url).database)


@pytest.fixture(scope="session")
def schema() -> str:
    return get_schema_name()


@pytest.fixture(scope="session")
def entities_engine(pg_server_url: str, head_template: str) -> Iterator[sa.Engine]:
    """Engine on a session-wide clone of the head template (configured schema)."""
    name = f"ent_head_{uuid.uuid4().hex[:10]}"
    url = provision.create_database(pg_server_url, name, template=head_template)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    yield engine
    engine.dispose()
    provision.drop_database(pg_server_url, name)


@pytest.fixture
def conn(entities_engine: sa.Engine, schema: str) -> Iterator[sa.Connection]:
    """A connection in a transaction rolled back afterwards, with the default search_path."""
    with entities_engine.connect() as connection:
        transaction = connection.begin()
        search_path = connection.exec_driver_sql("SHOW search_path").scalar_one()
        assert schema not in search_path.replace('"$user"', ""), search_path
        try:
            yield connection
        finally:
            transaction.rollback()
