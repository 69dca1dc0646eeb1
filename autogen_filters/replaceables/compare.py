"""Decide create / replace / drop for each entity, exactly as alembic-utils decides.

alembic-utils (``ReplaceableEntity.get_required_migration_op`` and
``compare_registered_entities``) compares the identity and the whitespace-normalised
definition of the simulated (normalised) entity with the live one:

* same identity and definition: nothing;
* same identity, other definition: replace (the live copy is kept for the downgrade);
* no live entity of that identity: create;
* a live entity in a managed schema whose identity no declared entity has: drop.

Filters are called the way alembic-utils calls them (``include_entity``): declared entities
go through ``include_object(entity, name, type_, reflected=False, compare_to=None)`` only;
live ones through ``include_name(name, type_, parent_names)`` and then ``include_object``
with ``reflected=True``.  ``name`` is ``"<schema>.<signature>"`` and ``parent_names`` is
``{"schema_name": schema, "table_name": "Not applicable for type <type_>"}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from alembic.autogenerate.api import AutogenContext
from alembic_utils.replaceable_entity import ReplaceableEntity
from alembic_utils.statement import normalize_whitespace

from .catalog import LiveEntity
from .kinds import kind_of
from .simulate import Simulation

Action = Literal["create", "replace", "drop"]


@dataclass(frozen=True)
class Decision:
    """What one entity needs.  ``entity`` is the declared entity (create, replace) or the live
    one (drop); ``live`` is the live copy a replace overwrites (for the downgrade)."""

    action: Action
    entity: ReplaceableEntity
    live: LiveEntity | None = None
    simulated: LiveEntity | None = None

    @property
    def current(self) -> LiveEntity:
        """``live``, which a drop and a replace always have."""
        assert self.live is not None, f"a {self.action} without its live entity"
        return self.live


def include_entity(
    entity: ReplaceableEntity, autogen_context: AutogenContext | None, *, reflected: bool
) -> bool:
    """Run the environment's filters on an entity, with alembic-utils' arguments."""
    if autogen_context is None:
        return True
    name = f"{entity.schema}.{entity.signature}"
    parent_names = {
        "schema_name": entity.schema,
        "table_name": f"Not applicable for type {entity.type_}",
    }
    # alembic-utils' convention: the filters get the entity's own type_ (not one of Alembic's
    # object types) and the entity itself (not a SchemaItem).
    if reflected and not autogen_context.run_name_filters(
        name,
        entity.type_,  # type: ignore[arg-type]
        parent_names,  # type: ignore[arg-type]
    ):
        return False
    return autogen_context.run_object_filters(
        entity,  # type: ignore[arg-type]
        name,
        entity.type_,  # type: ignore[arg-type]
        reflected=reflected,
        compare_to=None,
    )


def same_definition(a: ReplaceableEntity, b: ReplaceableEntity) -> bool:
    return normalize_whitespace(a.definition) == normalize_whitespace(b.definition)


def decide(
    declared: Sequence[ReplaceableEntity],
    simulation: Simulation,
    live: Iterable[LiveEntity],
    *,
    drop_schemas: Iterable[str],
    autogen_context: AutogenContext | None,
) -> list[Decision]:
    """Decisions for ``declared`` (already filtered, in ``simulation.order``) and for drops.

    Drops are only proposed in ``drop_schemas`` and only for live entities passing the filters.
    """
    live = list(live)
    live_by_identity = {x.identity: x for x in live}
    decisions: list[Decision] = []
    simulated_identities = set()
    for entity in simulation.order:
        simulated = simulation.of(entity)
        simulated_identities.add(simulated.identity)
        current = live_by_identity.get(simulated.identity)
        if current is None:
            decisions.append(Decision("create", entity, simulated=simulated))
        elif not kind_of(entity).unchanged(current, simulated):
            decisions.append(Decision("replace", entity, live=current, simulated=simulated))
    drop_schemas = set(drop_schemas)
    for x in live:
        if x.schema not in drop_schemas or x.identity in simulated_identities:
            continue
        if include_entity(x.entity, autogen_context, reflected=True):
            decisions.append(Decision("drop", x.entity, live=x))
    return decisions
