"""Live entities: one catalog query per kind for all schemas of interest.

alembic-utils runs its ``from_database`` query once per entity and schema; here each kind
(``kinds/``) is read once for all schemas.  Rows become alembic-utils entities through the same
constructors and parsers alembic-utils uses, so identities and definitions compare exactly as
they do there.  Each entity is paired with its catalog key so that the dependency catalog
(``depends.py``) can be joined to it.
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy.engine import Connection

from .kinds import KINDS, CatalogKey, LiveEntity, kind_of
from .kinds.function import FunctionShape

#: The entity classes this package manages, in the order a creation usually needs.
MANAGED_KINDS: tuple[type[ReplaceableEntity], ...] = tuple(k.entity_class for k in KINDS)

__all__ = ["MANAGED_KINDS", "CatalogKey", "FunctionShape", "LiveEntity", "kind_of", "read_live"]


def read_live(
    conn: Connection,
    schemas: Iterable[str],
    kinds: Iterable[type[ReplaceableEntity]] = MANAGED_KINDS,
) -> list[LiveEntity]:
    """Every live entity of ``kinds`` (entity classes) in ``schemas``: one query per kind."""
    schemas = sorted(set(schemas))
    wanted = {kind_of(cls) for cls in kinds}
    found: list[LiveEntity] = []
    for kind in KINDS:
        if kind in wanted:
            found += kind.read(conn, schemas)
    return found
