"""The root revision ``f6d5a4c2e901`` builds exactly upstream's head, object by object.

The expectation is ``upstream-head-schema.md`` itself (``../shared/reference``), parsed at
test time, with its schema, SU role and migrating role replaced by the ones in use.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from pycds import get_schema_name
from tests.helpers.schema_facts import database_at, facts_and_structure, load_facts

pytestmark = pytest.mark.db

ROOT_REVISION = "f6d5a4c2e901"
KEYS = sorted(load_facts(schema=get_schema_name(), su_role="su", migrating_role="me"))


@pytest.fixture(scope="module")
def root_structure(pg_server_url: str) -> Iterator[tuple[dict, dict]]:
    """(facts, live structure) of a fresh database upgraded to the root revision only."""
    schema = get_schema_name()
    with database_at(pg_server_url, "test_root_revision", ROOT_REVISION, schema) as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as connection:
            result = facts_and_structure(connection, schema)
        engine.dispose()
        yield result


def test_facts_were_parsed():
    """The parser found every object the facts file lists (a guard against a silent misparse)."""
    kinds = [key.split(" ", 1)[0] for key in KEYS]
    assert kinds.count("table") == 19  # 13 base, 5 history, alembic_version
    assert kinds.count("relation") == 15
    assert kinds.count("function") == 21


def test_same_objects(root_structure):
    facts, live = root_structure
    assert sorted(live) == sorted(facts)


@pytest.mark.parametrize("key", KEYS)
def test_object_matches_facts(root_structure, key):
    facts, live = root_structure
    assert live.get(key) == facts[key]
