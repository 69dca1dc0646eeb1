"""Provisioning of pycds databases on a PostgreSQL server: roles, databases, schema, head.

Used by ``pycds-db`` for the reference database and by the test suite for its template
databases, so both always see the same setup. Works against any server reachable with a
superuser URL (the local cluster, ``PYCDS_TEST_DSN``, a Docker container).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from pycds.config import get_schema_name, get_standard_table_privileges, get_su_role_name
from pycds.upstream_head import REVISION as UPSTREAM_HEAD
from pycds.upstream_head.views import all_relations

OVERLAYS = {"crmp": "crmp_overlay.sql"}
#: The revision each overlay applies to: where the real databases it imitates stand (CRMP and
#: Metnorth are stamped with upstream PyCDS 5.0.1's head, the root of pycds's chain).
OVERLAY_BASES = {"crmp": UPSTREAM_HEAD}
SCHEMA_PLACEHOLDER = "__SCHEMA__"


@contextmanager
def admin_connection(url: str) -> Iterator[sa.Connection]:
    """An autocommit connection (CREATE DATABASE and friends refuse transactions)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def database_url(server_url: str, database: str) -> str:
    """The URL of ``database`` on the server that ``server_url`` points at."""
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def ensure_roles(server_url: str) -> None:
    """Create the SU role and the standard-privilege roles when absent (cluster-wide)."""
    roles = {get_su_role_name(): "SUPERUSER NOLOGIN"}
    roles.update({role: "NOLOGIN" for role, _ in get_standard_table_privileges()})
    with admin_connection(server_url) as conn:
        existing = set(conn.scalars(sa.text("SELECT rolname FROM pg_roles")))
        for role, options in roles.items():
            if role not in existing:
                conn.exec_driver_sql(f"CREATE ROLE {role} {options}")


def database_exists(server_url: str, name: str) -> bool:
    with admin_connection(server_url) as conn:
        found = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    return bool(found)


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create database ``name`` (optionally from a template) and return its URL."""
    with admin_connection(server_url) as conn:
        clause = f' TEMPLATE "{template}"' if template else ""
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with admin_connection(server_url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mark_template(server_url: str, name: str) -> None:
    with admin_connection(server_url) as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true')


def ensure_schema(db_url: str, schema: str | None = None) -> None:
    """Create the pycds schema: a prerequisite of the migrations, which live inside it."""
    schema = schema or get_schema_name()
    with admin_connection(db_url) as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")


def upgrade(db_url: str, revision: str = "head") -> None:
    """Run the pycds migrations on ``db_url`` up to ``revision``."""
    from alembic import command

    from pycds.alembic_config import make_config

    command.upgrade(make_config(db_url), revision)


def apply_overlay(db_url: str, like: str, schema: str | None = None) -> None:
    """Apply a divergence overlay (e.g. ``crmp``) in one transaction, on a database at the
    overlay's base revision (``OVERLAY_BASES``)."""
    schema = schema or get_schema_name()
    sql = resources.files("pycds.localdb").joinpath("sql", OVERLAYS[like]).read_text()
    engine = sa.create_engine(db_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        _load_view_sources(conn, schema)
        conn.exec_driver_sql(sql.replace(SCHEMA_PLACEHOLDER, schema).replace("%", "%%"))
    engine.dispose()


def _load_view_sources(conn: sa.Connection, schema: str) -> None:
    """Give the overlay the source text of the base revision's views and matviews.

    The overlay re-creates the views it must move out of the way of its type changes. A real
    database got them from their source text over its own column types; re-parsing
    PostgreSQL's rendering instead adds casts that no real database has.
    """
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE overlay_view_sources "
        "(relname name PRIMARY KEY, definition text NOT NULL) ON COMMIT DROP"
    )
    conn.execute(
        sa.text("INSERT INTO overlay_view_sources VALUES (:name, :definition)"),
        [{"name": r.name, "definition": r.query} for r in all_relations(schema)],
    )


def build_like(db_url: str, like: str) -> None:
    """Bring ``db_url`` (an empty pycds schema) to head the way a real database got there:
    upgrade to the overlay's base revision, apply the overlay, then ``upgrade head``, so that
    pycds's later revisions run on the real divergences."""
    upgrade(db_url, OVERLAY_BASES[like])
    apply_overlay(db_url, like)
    upgrade(db_url, "head")


def reference_database(like: str | None) -> str:
    """The reference database of a variant: ``ref`` (plain), ``ref_<like>`` (with an overlay).

    One database per variant, so that both can be used side by side and a plain run never
    silently works on an overlaid database.
    """
    if like is not None and like not in OVERLAYS:
        raise ValueError(f"unknown overlay {like!r} (known: {', '.join(OVERLAYS)})")
    return f"ref_{like}" if like else "ref"


def variant_comment(like: str | None) -> str:
    """What ``COMMENT ON DATABASE`` says of a provisioned database's variant."""
    return f"pycds-db: like {like}" if like else "pycds-db: plain"


def database_comment(server_url: str, name: str) -> str | None:
    with admin_connection(server_url) as conn:
        return conn.scalar(
            sa.text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"
            ),
            {"n": name},
        )


def current_revision(db_url: str, schema: str | None = None) -> str | None:
    """The Alembic revision of ``db_url`` (in the pycds schema), or None."""
    schema = schema or get_schema_name()
    engine = sa.create_engine(db_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text(f"SELECT version_num FROM {schema}.alembic_version"))
    finally:
        engine.dispose()


def _build(server_url: str, name: str, like: str | None) -> str:
    """Build database ``name`` of a variant aside, then put it in place in one rename."""
    building = f"{name}_building"
    drop_database(server_url, building)
    url = create_database(server_url, building)
    ensure_schema(url)
    if like is None:
        upgrade(url)
    else:
        build_like(url, like)
    with admin_connection(server_url) as conn:
        conn.exec_driver_sql(f"COMMENT ON DATABASE \"{building}\" IS '{variant_comment(like)}'")
    drop_database(server_url, name)
    with admin_connection(server_url) as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return database_url(server_url, name)


def provision_database(
    server_url: str, name: str, *, like: str | None = None, fresh: bool = False
) -> str:
    """Create (if needed) database ``name`` with the pycds schema at head; return its URL.

    An existing plain database is upgraded to head. It is rebuilt from scratch with
    ``fresh``, and when it holds another variant (an overlay applied by an older pycds-db).
    With ``like`` it is always rebuilt, through :func:`build_like`, so that it reproduces a
    real database's divergences and history. A build happens under another name and ends with
    a rename: a killed run never leaves a half-built database under ``name``.
    """
    ensure_roles(server_url)
    if like is not None and like not in OVERLAYS:
        raise ValueError(f"unknown overlay {like!r} (known: {', '.join(OVERLAYS)})")
    if fresh or like is not None or not database_exists(server_url, name):
        return _build(server_url, name, like)
    if database_comment(server_url, name) not in (None, variant_comment(None)):
        return _build(server_url, name, like)
    url = database_url(server_url, name)
    ensure_schema(url)
    upgrade(url)
    return url
