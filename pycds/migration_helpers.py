"""Building blocks for pycds migrations: privileged steps, grants, replaceable objects.

Plain functions over ``alembic.op``, imported explicitly by the revisions that use them
(no operation is registered as a side effect of importing a migration).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from alembic import op
from alembic_utils.replaceable_entity import ReplaceableEntity

from pycds.config import get_standard_table_privileges, get_su_role_name


@contextmanager
def su_role() -> Iterator[None]:
    """Run the enclosed steps as the SU role (``PYCDS_SU_ROLE_NAME``), then reset.

    Needed for what only a superuser may do: extensions, plpython3u functions.
    """
    op.execute(f"SET ROLE {get_su_role_name()}")
    try:
        yield
    finally:
        op.execute("RESET ROLE")


def grant_standard_privileges(schema: str, name: str) -> None:
    """Grant ``PYCDS_STANDARD_TABLE_PRIVS`` on ``schema.name`` (view, matview or table)."""
    for role, privileges in get_standard_table_privileges():
        op.execute(f"GRANT {', '.join(privileges)} ON {schema}.{name} TO {role}")


def create_entities(entities: Iterable[ReplaceableEntity]) -> None:
    for entity in entities:
        op.create_entity(entity)


def drop_entities(entities: Iterable[ReplaceableEntity]) -> None:
    """Drop in reverse order of creation, so that dependents go first."""
    for entity in reversed(list(entities)):
        op.drop_entity(entity)
