"""alembic-utils' own entry point, answered by this comparator: a drop-in for projects (and
alembic-utils' test suite) that register entities with ``register_entities``.

:func:`compare_registered_entities` has alembic-utils' signature and reads its registry
(``register_entities(entities, schemas=, exclude_schemas=, entity_types=)``).  It observes the
schemas alembic-utils observes: the entities' schemas, the deprecated ``schemas``, the schemas
Alembic passes, and, **when ``include_schemas=True``, every schema the inspector lists**
(minus ``exclude_schemas`` and ``information_schema``); drops are proposed there, for every
allowed kind, declared or not.  It keeps alembic-utils' answer to a declared entity that needs a
dropped one (the drop alone, which PostgreSQL refuses without ``CASCADE``) instead of failing
(``Registration.drops_in_simulation=False``).  :func:`use_instead_of_alembic_utils` swaps it in
for alembic-utils' comparator in Alembic's dispatch.
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic.autogenerate import comparators
from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import UpgradeOps

from .catalog import MANAGED_KINDS
from .comparator import Registration, compare_replaceables


def observed_schemas(autogen_context: AutogenContext, schemas: Iterable[str | None]) -> set[str]:
    """The schemas alembic-utils 0.8.8 scans (``compare_registered_entities``)."""
    from alembic_utils.replaceable_entity import registry

    reflected: set[str | None] = set()
    if autogen_context.opts.get("include_schemas"):
        reflected = set(autogen_context.inspector.get_schema_names())
    found = reflected | set(schemas) | set(registry.schemas)
    found |= {e.schema for e in registry.entities()}
    return {
        s
        for s in found
        if s is not None and s not in registry.exclude_schemas and s != "information_schema"
    }


def compare_registered_entities(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: Iterable[str | None]
) -> None:
    """alembic-utils' comparator, done by ours: drops first, creations after the table ops."""
    from alembic_utils.replaceable_entity import registry

    allowed = registry.allowed_entity_types
    registration = Registration(
        entities=registry.entities(),
        schemas=tuple(sorted(observed_schemas(autogen_context, schemas))),
        kinds=tuple(k for k in MANAGED_KINDS if k in allowed),
        drops_in_simulation=False,
    )
    plan = compare_replaceables(autogen_context, registration, upgrade_ops)
    upgrade_ops.ops[0:0] = plan.drops
    upgrade_ops.ops.extend(plan.creations)


def use_instead_of_alembic_utils() -> int:
    """Replace alembic-utils' comparator in Alembic's dispatch by
    :func:`compare_registered_entities`; returns how many entries were replaced."""
    from alembic_utils import replaceable_entity

    stock = replaceable_entity.compare_registered_entities
    replaced = 0
    for handlers in comparators._registry.values():
        for n, (fn, subgroup) in enumerate(handlers):
            if fn is stock or getattr(fn, "__wrapped__", None) is stock:
                handlers[n] = (compare_registered_entities, subgroup)
                replaced += 1
    return replaced
