"""Turn decisions into ops in an order PostgreSQL accepts, upgrade and downgrade.

* Drops first, dependents before what they need (live ``pg_depend`` graph).
* A view or materialized view that is replaced or dropped takes its live dependents with it:
  they are dropped first and created again afterwards from their declared definition (or,
  for dependents nobody declared, from their live one), alembic-utils #149.
* A function whose change ``CREATE OR REPLACE FUNCTION`` refuses (return type, argument names
  or modes, removed defaults: ``kinds/function.py``) is dropped and created instead of replaced, and
  takes its live dependents (views, matviews, triggers) with it in the same way.
* Creates, replaces and re-creations then follow the order in which the simulation created
  the declared entities, which PostgreSQL accepted.
* Drops go at the front of the upgrade and creations at its end, so tables created in the
  same revision exist before the entities on them and tables dropped in it outlive theirs.

The downgrade is Alembic's reversal of that list (each op knows its reverse), which is again
in a valid order: creations are undone dependents first, drops undone needs first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field

from alembic.operations.ops import MigrateOperation
from alembic_utils.replaceable_entity import ReplaceableEntity

from .catalog import CatalogKey, LiveEntity
from .compare import Decision
from .depends import creation_order, dependents_closure
from .kinds import kind_of
from .ops import CreateEntityOp, DropEntityOp, ReplaceEntityOp
from .simulate import Simulation

logger = logging.getLogger(__name__)

ExtraSql = Callable[[ReplaceableEntity], Sequence[str]]


def no_extra_sql(entity: ReplaceableEntity) -> Sequence[str]:
    return ()


@dataclass
class Plan:
    drops: list[MigrateOperation] = field(default_factory=list)  # upgrade: before table ops
    creations: list[MigrateOperation] = field(default_factory=list)  # upgrade: after them
    decisions: list[Decision] = field(default_factory=list)  # what they were made from


def make_plan(
    decisions: Sequence[Decision],
    *,
    declared: Sequence[ReplaceableEntity],
    simulation: Simulation,
    live: Sequence[LiveEntity],
    live_needs: Mapping[CatalogKey, set[CatalogKey]],
    extra_sql: ExtraSql = no_extra_sql,
    blocked: Set[CatalogKey] = frozenset(),
    suppressed: Set[CatalogKey] = frozenset(),
    strand: bool = False,
) -> Plan:
    """``blocked``: live entities that must be out of the way of this revision's table
    changes (they use a column whose type changes, or that is renamed or dropped).
    ``suppressed``: live entities whose drop or replace a later filter will remove from the
    script; their ops stay in the plan (the filter reports them), but they displace nothing.
    ``strand``: some declared entity cannot be created once the drops are done (the
    simulation said so); declared entities standing on dropped ones are then left in place
    rather than dropped and re-created (alembic-utils' plan: the drop fails without CASCADE).
    """
    live_by_key = {x.key: x for x in live}
    live_by_identity = {x.identity: x for x in live}
    # Declared entities by the live object they stand for (same identity after simulation).
    declared_by_live_key: dict[CatalogKey, ReplaceableEntity] = {}
    for entity in declared:
        counterpart = live_by_identity.get(simulation.of(entity).identity)
        if counterpart is not None:
            declared_by_live_key[counterpart.key] = entity

    dropped = {d.current.key for d in decisions if d.action == "drop"} - suppressed
    replaced = {
        d.current.key: d
        for d in decisions
        if d.action == "replace" and d.current.key not in suppressed
    }
    # A function that CREATE OR REPLACE cannot change (return type, argument names...) is
    # dropped and created again instead of replaced.
    rebuilt = {key for key, d in replaced.items() if kind_of(d.entity).must_rebuild(d)}
    if rebuilt:
        logger.info(
            "replaceables: dropping and re-creating %s (not replaceable in place)",
            ", ".join(sorted(live_by_key[k].identity for k in rebuilt)),
        )
    # Dropping or replacing a (materialized) view, or rebuilding a function, breaks whatever
    # stands on it.
    breaking = (
        set(dropped)
        | rebuilt
        | {
            key
            for key, d in replaced.items()
            if kind_of(d.current.entity).replace_displaces_dependents
        }
    )
    blocked = set(blocked) & set(live_by_key)
    # Rebuilt functions go the way of displaced replaced entities: the live copy is dropped,
    # the declared one created (neither op is ``displaced``: they are the change itself).
    displaced = (dependents_closure(live_needs, breaking | blocked) | blocked | rebuilt) - dropped
    # A declared entity that cannot be re-created after a drop it needs: leave it in place
    # (PostgreSQL refuses the drop unless it is made with CASCADE, as in alembic-utils).
    stranded = (
        dependents_closure(live_needs, dropped) & set(declared_by_live_key) if strand else set()
    )
    for key in sorted(stranded, key=lambda k: k[1]):
        needed = sorted(
            live_by_key[n].identity for n in live_needs.get(key, ()) if n in dropped
        ) or ["a dropped entity"]
        logger.warning(
            "replaceables: declared %s needs %s, which is dropped: the drop fails without CASCADE",
            live_by_key[key].identity,
            ", ".join(needed),
        )
    displaced -= stranded
    # Undeclared entities (e.g. hidden by the filters) standing on something dropped cannot be
    # put back: they go too, as a DROP ... CASCADE would take them (and return on downgrade).
    doomed = _doomed(dropped, displaced - set(declared_by_live_key), live_needs)
    if doomed:
        logger.warning(
            "replaceables: also dropping %s, which depend on dropped entities",
            ", ".join(sorted(live_by_key[k].identity for k in doomed)),
        )
    dropped |= doomed
    displaced -= doomed

    plan = Plan(decisions=list(decisions))
    to_drop = dropped | displaced
    drop_order = creation_order(to_drop, live_needs, rank=lambda k: k[1])
    for key in reversed(drop_order):
        target = live_by_key[key].entity
        if key in displaced and key not in replaced and key in declared_by_live_key:
            # Unchanged and declared: the downgrade re-creates it from the declared text, which
            # round-trips, rather than from PostgreSQL's rendering of it, which may not (#85).
            target = declared_by_live_key[key]
        plan.drops.append(
            DropEntityOp(
                target,
                extra_sql_on_create=extra_sql(target),
                # Doomed entities make way for a drop too: no rule may keep them.
                displaced=(key in displaced and key not in replaced) or key in doomed,
            )
        )

    # Creations in the simulation's order; displaced dependents nobody declared go right
    # after the last thing they need.
    position = {id(e): n for n, e in enumerate(simulation.order)}
    creations: list[tuple[float, MigrateOperation]] = []
    for d in decisions:
        if d.action == "create":
            creations.append((position[id(d.entity)], _create(d.entity, extra_sql)))
        elif d.action == "replace" and d.current.key not in displaced:
            live_entity = d.current.entity
            op = ReplaceEntityOp(d.entity, live_entity, extra_sql(d.entity), extra_sql(live_entity))
            creations.append((position[id(d.entity)], op))
    rank_of_live: dict[CatalogKey, float] = {}
    for key in creation_order(displaced, live_needs, rank=lambda k: k[1]):
        declared_entity = declared_by_live_key.get(key)
        if declared_entity is not None:
            entity = declared_entity
            rank = float(position[id(entity)])
        else:
            entity = live_by_key[key].entity
            needed_ranks = [rank_of_live.get(n, -1.0) for n in live_needs.get(key, ())]
            needed_ranks += [
                position[id(declared_by_live_key[n])]
                for n in live_needs.get(key, ())
                if n in declared_by_live_key
            ]
            rank = max(needed_ranks, default=-1.0) + 0.5
        rank_of_live[key] = rank
        creations.append((rank, _create(entity, extra_sql, displaced=key not in replaced)))
    creations.sort(key=lambda pair: pair[0])
    plan.creations = [op for _, op in creations]
    return plan


def _doomed(
    dropped: set[CatalogKey],
    undeclared: set[CatalogKey],
    live_needs: Mapping[CatalogKey, set[CatalogKey]],
) -> set[CatalogKey]:
    """The undeclared entities that need, directly or through other such entities, a dropped
    one."""
    doomed: set[CatalogKey] = set()
    changed = True
    while changed:
        changed = False
        for key in undeclared - doomed:
            if live_needs.get(key, set()) & (dropped | doomed):
                doomed.add(key)
                changed = True
    return doomed


def _create(
    entity: ReplaceableEntity, extra_sql: ExtraSql, *, displaced: bool = False
) -> CreateEntityOp:
    return CreateEntityOp(entity, extra_sql=extra_sql(entity), displaced=displaced)
