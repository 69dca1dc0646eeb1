"""Database fixtures shared by the whole suite.

The server comes from, in order: ``PYCDS_TEST_DSN`` (a superuser URL of any PostgreSQL
15 + PostGIS + plpython3u server), ``--docker`` (pytest-docker with
``tests/docker/docker-compose.yml``), else a cluster of the suite's own (``pycds-db``'s
``Cluster``), started in a new folder on a free port and deleted at the end: the suite
never depends on, or disturbs, a server that another checkout or ``pycds-db`` runs.
Tests get fresh databases cloned from a template migrated to head, so each one is
isolated and costs a file copy rather than a migration run.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pycds import get_schema_name
from pycds.localdb import provision
from pycds.localdb.cluster import Cluster, ensure_server_packages

ROOT = Path(__file__).resolve().parents[1]
# What the head template is built from: when any of it changes, a new template is built.
TEMPLATE_INPUTS = ("pycds",)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--docker",
        action="store_true",
        help="run PostgreSQL in Docker through pytest-docker instead of the local cluster",
    )


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(ROOT / "tests" / "docker" / "docker-compose.yml")


def _docker_server_url(request: pytest.FixtureRequest) -> str:
    services = request.getfixturevalue("docker_services")
    ip = request.getfixturevalue("docker_ip")
    port = services.port_for("postgres", 5432)
    url = f"postgresql+psycopg2://postgres:postgres@{ip}:{port}/postgres"

    def responsive() -> bool:
        try:
            with sa.create_engine(url, poolclass=sa.NullPool).connect():
                return True
        except sa.exc.OperationalError:
            return False

    services.wait_until_responsive(timeout=120.0, pause=1.0, check=responsive)
    return url


@pytest.fixture(scope="session")
def pg_server_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Superuser URL of the test server."""
    dsn = os.environ.get("PYCDS_TEST_DSN")
    if dsn:
        yield dsn
        return
    if request.config.getoption("--docker"):
        yield _docker_server_url(request)
        return
    ensure_server_packages()
    cluster = Cluster.start_disposable()
    try:
        yield cluster.url()
    finally:
        cluster.destroy()


def _template_name(schema: str) -> str:
    digest = hashlib.sha256(schema.encode())
    for folder in TEMPLATE_INPUTS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".sql", ".mako"} and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return f"pycds_tmpl_{schema}_{digest.hexdigest()[:12]}"


@pytest.fixture(scope="session")
def head_template(pg_server_url: str) -> str:
    """Name of a template database migrated to head in the configured schema."""
    schema = get_schema_name()
    name = _template_name(schema)
    provision.ensure_roles(pg_server_url)
    if not provision.database_exists(pg_server_url, name):
        building = f"{name}_building"
        provision.drop_database(pg_server_url, building)
        url = provision.create_database(pg_server_url, building)
        provision.ensure_schema(url, schema)
        provision.upgrade(url)
        with provision.admin_connection(pg_server_url) as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        provision.mark_template(pg_server_url, name)
    return name


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def head_db(pg_server_url: str, head_template: str) -> Iterator[str]:
    """URL of a fresh database at head (cloned from the template), dropped afterwards."""
    name = _unique("test_head")
    url = provision.create_database(pg_server_url, name, template=head_template)
    yield url
    provision.drop_database(pg_server_url, name)


@pytest.fixture
def empty_db(pg_server_url: str) -> Iterator[str]:
    """URL of a fresh database holding only the (empty) configured schema."""
    provision.ensure_roles(pg_server_url)
    name = _unique("test_empty")
    url = provision.create_database(pg_server_url, name)
    provision.ensure_schema(url)
    yield url
    provision.drop_database(pg_server_url, name)


@pytest.fixture
def head_engine(head_db: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(head_db, poolclass=sa.NullPool)
    yield engine
    engine.dispose()
