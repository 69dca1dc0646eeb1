"""The CRMP-like database of the autogen_filters tests, built the way real ones were.

A template is built once per session (and whenever ``pycds/`` changes, through the head
template's name): upstream's head ``f6d5a4c2e901``, the CRMP overlay, then ``upgrade head``
(``provision.build_like``). Each test gets a fresh clone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from pycds.localdb import provision


@pytest.fixture(scope="session")
def crmp_like_template(pg_server_url: str, head_template: str) -> str:
    name = f"{head_template}_like_crmp"
    if not provision.database_exists(pg_server_url, name):
        building = f"{name}_building"
        provision.drop_database(pg_server_url, building)
        url = provision.create_database(pg_server_url, building)
        provision.ensure_schema(url)
        provision.build_like(url, "crmp")
        with provision.admin_connection(pg_server_url) as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        provision.mark_template(pg_server_url, name)
    return name


@pytest.fixture
def crmp_like_db(pg_server_url: str, crmp_like_template: str) -> Iterator[str]:
    """URL of a fresh CRMP-like database at head, dropped afterwards."""
    name = f"test_crmp_like_{uuid.uuid4().hex[:10]}"
    url = provision.create_database(pg_server_url, name, template=crmp_like_template)
    yield url
    provision.drop_database(pg_server_url, name)
