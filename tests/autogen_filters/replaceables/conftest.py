"""Fixtures for the replaceables comparator tests: one ``cmp_`` database for this package,
a fresh schema per test (cheap: no database per test on a 2-core machine)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from autogen_filters.replaceables import clear_replaceables
from pycds.localdb import provision


@pytest.fixture(scope="session")
def cmp_db_url(pg_server_url: str) -> Iterator[str]:
    name = f"cmp_replaceables_{uuid.uuid4().hex[:8]}"
    url = provision.create_database(pg_server_url, name)
    yield url
    provision.drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def cmp_engine(cmp_db_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(cmp_db_url, poolclass=sa.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def schema(cmp_engine: sa.Engine) -> Iterator[str]:
    """A fresh, empty schema, dropped after the test."""
    name = f"s_{uuid.uuid4().hex[:8]}"
    with cmp_engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    yield name
    with cmp_engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture(autouse=True)
def _no_leftover_registrations() -> Iterator[None]:
    from alembic_utils.replaceable_entity import registry

    clear_replaceables()
    registry.clear()
    yield
    clear_replaceables()
    registry.clear()
