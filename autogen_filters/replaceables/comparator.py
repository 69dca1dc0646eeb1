"""The Alembic hook: registration from env.py and the ``schema``-level comparator.

The comparator is registered on Alembic's global comparator dispatch at ``LAST`` priority,
so it runs after the table comparators: the ``CreateTableOp``s it needs for the simulation
are already in ``upgrade_ops``.  It does nothing unless ``register_replaceables`` was called
(or a ``Registration`` was passed to ``context.configure(replaceables=...)``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from alembic.autogenerate import comparators
from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import MigrateOperation, UpgradeOps
from alembic.util import DispatchPriority, PriorityDispatchResult
from alembic_utils.replaceable_entity import ReplaceableEntity

from .catalog import MANAGED_KINDS, CatalogKey, LiveEntity, read_live
from .compare import Decision, decide, include_entity
from .depends import read_column_dependents, read_dependencies
from .kinds import kind_of
from .ops import DropEntityOp, ReplaceEntityOp
from .plan import ExtraSql, Plan, make_plan, no_extra_sql
from .simulate import Predict, SimulationError, altered_columns, simulate

logger = logging.getLogger(__name__)


@dataclass
class Registration:
    """What to compare: declared entities, the managed schemas (the only ones drops are
    proposed in), the kinds to consider (entity classes; all by default, as in alembic-utils),
    and the extra-SQL hook.

    ``drops_in_simulation``: the planned drops are applied in a second simulation, and a
    declared entity that needs a dropped one is a :class:`SimulationError` naming both.  False
    keeps alembic-utils' behaviour: the drop is proposed alone (it fails at upgrade unless made
    with ``CASCADE``), and the declared dependent is left in place with a warning.
    """

    entities: list[ReplaceableEntity]
    schemas: tuple[str, ...]
    kinds: tuple[type[ReplaceableEntity], ...] = MANAGED_KINDS
    extra_sql: ExtraSql = no_extra_sql
    # How each table op of the run will really be emitted (e.g. after a divergence filter);
    # the simulation only applies those changes. None: every op as it is.
    predict: Predict | None = None
    drops_in_simulation: bool = True
    last_timings: dict[str, float] = field(default_factory=dict)
    last_plan: Plan | None = None  # of the latest comparison (tests, diagnostics)


_registration: Registration | None = None


def register_replaceables(
    entities: Iterable[ReplaceableEntity],
    *,
    schema: str | Sequence[str],
    extra_sql: ExtraSql | None = None,
    kinds: Iterable[type[ReplaceableEntity]] | None = None,
    predict: Predict | None = None,
) -> Registration:
    """Make the next autogenerate runs compare ``entities`` (replacing any earlier call).

    * ``schema``: the managed schema (or schemas). Live entities are read there and in the
      declared entities' schemas; drops are only proposed in the managed schemas.
    * ``extra_sql(entity) -> [sql, ...]``: statements to run after ``entity`` is created or
      replaced (matview indexes, GRANTs); rendered as ``op.execute(...)`` after the op.
    * ``kinds``: restrict to some entity classes (default: every kind, ``kinds/``); the drop
      scan covers every kind compared, even one with no declared entity.
    * ``predict(op) -> op | None``: how a table op of the run will really be emitted, when a
      later ``process_revision_directives`` (a divergence filter) trims or drops it; only
      the changes that remain are simulated. E.g. ``AutogenFilters.predict_upgrade_op``.
    """
    global _registration
    schemas = (schema,) if isinstance(schema, str) else tuple(schema)
    entities = list(entities)
    for entity in entities:
        kind_of(entity)  # fail early on an unsupported class
    _registration = Registration(
        entities=entities,
        schemas=schemas,
        kinds=tuple(kinds) if kinds is not None else MANAGED_KINDS,
        extra_sql=extra_sql or no_extra_sql,
        predict=predict,
    )
    return _registration


def clear_replaceables() -> None:
    """Forget the registration (tests; several environments in one process)."""
    global _registration
    _registration = None


def active_registration(autogen_context: AutogenContext | None = None) -> Registration | None:
    if autogen_context is not None:
        configured = autogen_context.opts.get("replaceables")
        if configured is not None:
            registration: Registration = configured
            return registration
    return _registration


def compare_replaceables(
    autogen_context: AutogenContext,
    registration: Registration,
    upgrade_ops: UpgradeOps | None = None,
) -> Plan:
    """Compare the registration with the database of ``autogen_context``; return the ops."""
    conn = autogen_context.connection
    assert conn is not None
    timings = registration.last_timings
    timings.clear()
    started = time.perf_counter()

    kinds = {kind_of(cls) for cls in registration.kinds}
    declared = [
        e
        for e in registration.entities
        if kind_of(e) in kinds and include_entity(e, autogen_context, reflected=False)
    ]
    read_schemas = set(registration.schemas) | {e.schema for e in declared}
    live = read_live(conn, read_schemas, registration.kinds)
    timings["read"] = time.perf_counter() - started

    simulation = simulate(
        conn, declared, live, upgrade_ops=upgrade_ops, predict=registration.predict
    )
    timings["simulate"] = time.perf_counter() - started - timings["read"]

    decisions = decide(
        declared,
        simulation,
        live,
        drop_schemas=registration.schemas,
        autogen_context=autogen_context,
    )
    suppressed = _suppressed_later(decisions, registration.predict)
    drops = [d.current for d in decisions if d.action == "drop" and d.current.key not in suppressed]
    strand = False
    if drops and declared:
        # Would every declared entity still be created once the planned drops are applied?
        try:
            simulate(
                conn,
                declared,
                live,
                upgrade_ops=upgrade_ops,
                predict=registration.predict,
                planned_drops=drops,
            )
        except SimulationError:
            if registration.drops_in_simulation:
                raise
            strand = True
        timings["simulate drops"] = (
            time.perf_counter() - started - timings["read"] - timings["simulate"]
        )
    default_schema = conn.dialect.default_schema_name or "public"
    columns = altered_columns(upgrade_ops, default_schema, registration.predict)
    blocked = read_column_dependents(conn, columns) if columns else set()
    needs = read_dependencies(conn, [x.key for x in live]) if decisions or blocked else {}
    if decisions or blocked:
        keys = {x.key for x in live}
        for x in live:
            extra = kind_of(x.entity).needs(x) & keys
            if extra:
                needs.setdefault(x.key, set()).update(extra)
    plan = make_plan(
        decisions,
        declared=declared,
        simulation=simulation,
        live=live,
        live_needs=needs,
        extra_sql=registration.extra_sql,
        blocked=blocked,
        suppressed=suppressed,
        strand=strand,
    )
    timings["total"] = time.perf_counter() - started
    registration.last_plan = plan
    logger.info(
        "replaceables: %d declared, %d live, %d drops, %d creations in %.2fs (%d rounds)",
        len(declared),
        len(live),
        len(plan.drops),
        len(plan.creations),
        timings["total"],
        simulation.rounds,
    )
    return plan


def _suppressed_later(decisions: Sequence[Decision], predict: Predict | None) -> set[CatalogKey]:
    """Live entities whose drop or replace ``predict`` says will not be emitted."""
    if predict is None:
        return set()
    probes: dict[str, Callable[[Decision, LiveEntity], MigrateOperation]] = {
        "drop": lambda d, live: DropEntityOp(live.entity),
        "replace": lambda d, live: ReplaceEntityOp(d.entity, live.entity),
    }
    return {
        d.live.key
        for d in decisions
        if d.action in probes
        and d.live is not None
        and predict(probes[d.action](d, d.live)) is None
    }


def _silence_stock_comparator_when_unused() -> None:
    """Keep alembic-utils' comparator from running when its own registry is empty.

    alembic-utils hooks ``compare_registered_entities`` at import time.  With an empty registry
    it still scans every observed schema for drops, and with ``include_schemas=True`` it then
    proposes dropping every live function, view and trigger it sees.  Its entry in Alembic's
    global dispatch is wrapped so that it only runs when entities were registered with
    ``alembic_utils.replaceable_entity.register_entities`` (so stock alembic-utils still works
    for projects, tests and benchmarks that use it).
    """
    from alembic_utils import replaceable_entity

    stock = replaceable_entity.compare_registered_entities

    def guarded(
        autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]
    ) -> None:
        if replaceable_entity.registry.entities():
            stock(autogen_context, upgrade_ops, schemas)

    guarded.__wrapped__ = stock  # type: ignore[attr-defined]
    for handlers in comparators._registry.values():
        for n, (fn, subgroup) in enumerate(handlers):
            if fn is stock:
                handlers[n] = (guarded, subgroup)


_silence_stock_comparator_when_unused()


@comparators.dispatch_for("schema", priority=DispatchPriority.LAST)
def _compare_registered_replaceables(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: Iterable[str | None]
) -> PriorityDispatchResult:
    registration = active_registration(autogen_context)
    if registration is None or autogen_context.connection is None:
        return PriorityDispatchResult.CONTINUE
    plan = compare_replaceables(autogen_context, registration, upgrade_ops)
    upgrade_ops.ops[0:0] = plan.drops
    upgrade_ops.ops.extend(plan.creations)
    return PriorityDispatchResult.CONTINUE
