"""Building blocks for pycds migrations: privileged steps, grants, replaceable objects.

Plain functions over ``alembic.op``, imported explicitly by the revisions that use them
(no operation is registered as a side effect of importing a migration).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext

from alembic import op
from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_function import PGFunction
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


def standard_grant_statements(schema: str, name: str) -> list[str]:
    """The GRANTs of ``PYCDS_STANDARD_TABLE_PRIVS`` on ``schema.name``."""
    return [
        f"GRANT {', '.join(privileges)} ON {schema}.{name} TO {role}"
        for role, privileges in get_standard_table_privileges()
    ]


def grant_standard_privileges(schema: str, name: str) -> None:
    """Grant ``PYCDS_STANDARD_TABLE_PRIVS`` on ``schema.name`` (view, matview or table)."""
    for statement in standard_grant_statements(schema, name):
        op.execute(statement)


UNTRUSTED_LANGUAGES = frozenset({"plpython3u", "plperlu", "c", "internal"})
_LANGUAGE = re.compile(r"\bLANGUAGE\s+(\w+)", re.IGNORECASE)


def needs_su_role(entity: ReplaceableEntity) -> bool:
    """Whether creating (or replacing, dropping) ``entity`` needs the SU role.

    Untrusted languages (PL/Python, PL/Perl "u", C) admit only superusers. The language is
    read from the definition itself, so a new PL/Python function cannot be forgotten.
    """
    if isinstance(entity, PGExtension):
        return True  # CREATE EXTENSION of untrusted ones needs a superuser (pycds #126)
    if not isinstance(entity, PGFunction):
        return False
    header = entity.definition.split("$$", 1)[0]
    language = _LANGUAGE.search(header)
    return language is not None and language.group(1).lower() in UNTRUSTED_LANGUAGES


Privileged = Callable[[ReplaceableEntity], bool]


def _never(entity: ReplaceableEntity) -> bool:
    return False


def create_entities(
    entities: Iterable[ReplaceableEntity], *, privileged: Privileged = _never
) -> None:
    """Create in the given order; entities for which ``privileged`` holds as the SU role."""
    for entity in entities:
        with su_role() if privileged(entity) else nullcontext():
            op.create_entity(entity)


def drop_entities(
    entities: Iterable[ReplaceableEntity], *, privileged: Privileged = _never
) -> None:
    """Drop in reverse order of creation, so that dependents go first."""
    for entity in reversed(list(entities)):
        with su_role() if privileged(entity) else nullcontext():
            op.drop_entity(entity)
