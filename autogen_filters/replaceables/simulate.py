"""Create every declared entity in one savepoint so PostgreSQL normalises them; read them back.

alembic-utils simulates each entity in its own savepoints, several times, with every earlier
change re-created as a dependency: quadratic.  Here one savepoint holds the whole declared
state: new tables first (from the autogenerate's ``CreateTableOp``/``AddColumnOp``), then the
live copies of declared entities are dropped, and so are the live entities the plan will drop,
then all declared entities are created in an order guessed from the names their definitions
mention.  If a creation still fails (the guess was wrong) the savepoint is rolled back and the
round restarts with the failed entity moved behind the others: a few rounds at most, not one
savepoint per entity.  The created objects are read back with each kind's catalog query
(``kinds/``) and the savepoint is rolled back.

A declared entity that cannot be created is a :class:`SimulationError`; one that can only be
created while a planned drop is not applied needs something the revision drops, which the
error names (a plan that drops and re-creates it could not run).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.operations import ops as alembic_ops
from alembic.util import CommandError
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import MetaData, Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.sqltypes import SchemaType

from .catalog import CatalogKey, LiveEntity, read_live
from .depends import creation_order
from .kinds import KINDS, Kind, bare_name, kind_of

# How an op of this autogenerate will be emitted in the end (None: not at all).
Predict = Callable[[alembic_ops.MigrateOperation], alembic_ops.MigrateOperation | None]

# A table change entities may depend on: ("table", Table), ("add", AddColumnOp) or
# ("alter", DropColumnOp | AlterColumnOp); see new_table_statements.
TableStep = tuple[str, Any]

logger = logging.getLogger(__name__)

_HINT = "fix its definition, or keep what it uses (a table, column or entity this revision removes)"


class SimulationError(CommandError):
    """A declared entity cannot be created, even after everything else was.

    The message is one line: the entity, PostgreSQL's message and a hint.  It is an Alembic
    ``CommandError`` (the ``alembic`` command prints ``FAILED: <message>``, no traceback), and
    the instance raised is also of the SQLAlchemy class that wraps the driver's error
    (``sqlalchemy.exc.ProgrammingError``, ``InternalError``, ...: see :func:`simulation_error`),
    so code that catches database errors catches it; ``orig`` is the driver's exception, which
    is also chained as ``__cause__``.
    """

    def __init__(
        self,
        entity: ReplaceableEntity,
        error: BaseException,
        *,
        needs: Sequence[ReplaceableEntity] = (),
    ):
        self.entity = entity
        self.error = error
        self.needs = tuple(needs)
        self.message = _message(entity, error, self.needs)
        CommandError.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message


def _message(
    entity: ReplaceableEntity, error: BaseException, needs: Sequence[ReplaceableEntity]
) -> str:
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) or (str(error).strip().splitlines() or [""])[0]
    detail = getattr(diag, "message_detail", None)
    hint = getattr(diag, "message_hint", None)
    what = kind_of(entity).describe(entity)
    postgres = primary + (f" ({detail})" if detail else "")
    if needs:
        dropped = ", ".join(kind_of(n).describe(n) for n in needs)
        return " ".join(
            f"cannot create {what}: it needs {dropped}, which this revision drops (no declared "
            f"entity has its identity); PostgreSQL: {postgres}; hint: declare {dropped}, or "
            f"change or stop declaring {what}".split()
        )
    return " ".join(f"cannot create {what}: {postgres}; hint: {hint or _HINT}".split())


_ERROR_CLASSES: dict[type, type[SimulationError]] = {}


def simulation_error(
    entity: ReplaceableEntity,
    error: BaseException,
    dbapi_error: type[BaseException] | None = None,
    *,
    needs: Sequence[ReplaceableEntity] = (),
) -> SimulationError:
    """A :class:`SimulationError` that is also an instance of the SQLAlchemy exception class
    wrapping ``error`` (a driver exception; ``dbapi_error`` is the driver's base ``Error``)."""
    wrapped = None
    if dbapi_error is not None and isinstance(error, dbapi_error):
        wrapped = sa_exc.DBAPIError.instance(None, None, error, dbapi_error)  # type: ignore[arg-type]
    if wrapped is None:
        result = SimulationError(entity, error, needs=needs)
    else:
        base = type(wrapped)
        cls = _ERROR_CLASSES.get(base)
        if cls is None:
            cls = cast(
                type[SimulationError],
                type("SimulationError", (SimulationError, base), {"__module__": __name__}),
            )
            _ERROR_CLASSES[base] = cls
        result = cls.__new__(cls)
        result.__dict__.update(wrapped.__dict__)  # statement, params, orig, code, ...
        SimulationError.__init__(result, entity, error, needs=needs)
    result.__cause__ = error
    return result


@dataclass
class Simulation:
    """Result: each declared entity as PostgreSQL normalised it, and a working creation order."""

    normalised: dict[int, LiveEntity] = field(default_factory=dict)  # id(declared) -> entity
    order: list[ReplaceableEntity] = field(default_factory=list)  # the order that succeeded
    rounds: int = 0

    def of(self, declared: ReplaceableEntity) -> LiveEntity:
        return self.normalised[id(declared)]


def guess_order(entities: Sequence[ReplaceableEntity]) -> list[ReplaceableEntity]:
    """Order by the names each definition mentions: what is mentioned is created first.

    A cheap stand-in for dependencies that do not exist yet; wrong guesses cost a retry round.
    When nothing else decides, kinds go by rank (extensions, functions, views, matviews,
    triggers, policies, grants).
    """
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entities):
        by_name[bare_name(e).lower()].append(i)
    needs: dict[int, set[int]] = {}
    for i, e in enumerate(entities):
        words = kind_of(e).mentions(e)
        needs[i] = {j for w in words for j in by_name.get(w, ()) if j != i}
    ranks = [kind_of(e).rank for e in entities]
    order = creation_order(range(len(entities)), needs, rank=lambda i: (ranks[i], i))
    return [entities[i] for i in order]


def _live_by_slot(live: Sequence[LiveEntity]) -> dict[Kind, dict[Hashable, LiveEntity]]:
    index: dict[Kind, dict[Hashable, LiveEntity]] = {k: {} for k in KINDS}
    for x in live:
        kind = kind_of(x.entity)
        index[kind][kind.live_slot(x)] = x
    return index


def _drop_statements(
    declared: Sequence[ReplaceableEntity],
    live_index: Mapping[Kind, Mapping[Hashable, LiveEntity]],
    planned_drops: Sequence[LiveEntity],
) -> list[str]:
    """Drop the live objects the declared ones would collide with, and those the plan drops
    (``CASCADE``, ``IF EXISTS``: never fails).  Highest kind rank first: grants and policies
    go while the relations they are on still exist (``REVOKE`` has no ``IF EXISTS``)."""
    statements: list[tuple[int, str]] = []
    for e in declared:
        kind = kind_of(e)
        sql = kind.simulation_drop(e, live_index[kind])
        if sql:
            statements.append((-kind.rank, sql))
    for x in planned_drops:
        kind = kind_of(x.entity)
        statements.append((-kind.rank, kind.drop_sql(x.entity)))
    return [sql for _, sql in sorted(statements, key=lambda pair: pair[0])]


def _emitted(
    op: alembic_ops.MigrateOperation, predict: Predict | None
) -> alembic_ops.MigrateOperation | None:
    return op if predict is None else predict(op)


def new_table_statements(
    upgrade_ops: alembic_ops.UpgradeOps | None, predict: Predict | None = None
) -> list[TableStep]:
    """The table changes of this autogenerate that entities may depend on, in op order:
    ``("table", Table)`` and ``("add", AddColumnOp)`` (run before the entities' live copies are
    dropped), ``("alter", op)`` for column type changes, renames and drops (run after).

    Entities on a table or column created in the same revision can only be simulated once it
    exists (alembic-utils #41/#79); a view on a column whose type changes normalises against
    the new type.

    ``predict(op)`` tells how an op will really be emitted (None: suppressed later, e.g. by a
    divergence filter); without it every op counts as it is.
    """
    if upgrade_ops is None:
        return []
    steps: list[TableStep] = []
    for top in upgrade_ops.ops:
        op = _emitted(top, predict)
        if isinstance(op, alembic_ops.CreateTableOp):
            steps.append(("table", op.to_table()))
        elif isinstance(op, alembic_ops.ModifyTableOps):
            for sub in filter(None, (_emitted(o, predict) for o in op.ops)):
                if isinstance(sub, alembic_ops.AddColumnOp):
                    steps.append(("add", sub))
                elif isinstance(sub, alembic_ops.DropColumnOp) or (
                    isinstance(sub, alembic_ops.AlterColumnOp)
                    and (sub.modify_type is not None or sub.modify_name is not None)
                ):
                    steps.append(("alter", sub))
    return steps


def altered_columns(
    upgrade_ops: alembic_ops.UpgradeOps | None,
    default_schema: str,
    predict: Predict | None = None,
) -> list[tuple[str, str, str]]:
    """``(schema, table, column)`` whose type changes, or which are renamed or dropped: the
    entities on them must be dropped before and re-created after (alembic-utils #89)."""
    return [
        (op.schema or default_schema, op.table_name, op.column_name)
        for kind, op in new_table_statements(upgrade_ops, predict)
        if kind == "alter"
    ]


def _unnamed(table: Table) -> Table:
    """A copy of ``table`` whose constraints PostgreSQL names: a renamed table (still
    present under its old name while the draft holds a drop and a create) keeps its
    constraint names, which would collide."""
    unnamed = table.to_metadata(MetaData())
    for constraint in unnamed.constraints:
        constraint.name = None
    return unnamed


def _apply_table_steps(conn: Connection, steps: list[TableStep], kinds: set[str]) -> None:
    """Create the new tables (without foreign keys, which a simulation does not need and which
    may point at tables created later) and run the column ops of ``kinds``."""
    operations = None
    for kind, item in steps:
        if kind not in kinds:
            continue
        if kind == "table":
            for column in item.columns:
                # Enum and other schema-level types come first (checkfirst: may exist already).
                if isinstance(column.type, SchemaType):
                    column.type.create(conn, checkfirst=True)
            conn.execute(CreateTable(_unnamed(item), include_foreign_key_constraints=[]))
        else:
            if operations is None:
                operations = Operations(MigrationContext.configure(conn))
            operations.invoke(item)


def simulate(
    conn: Connection,
    declared: Sequence[ReplaceableEntity],
    live: Sequence[LiveEntity],
    *,
    upgrade_ops: alembic_ops.UpgradeOps | None = None,
    predict: Predict | None = None,
    planned_drops: Sequence[LiveEntity] = (),
    max_rounds: int | None = None,
) -> Simulation:
    """Create all ``declared`` entities in one savepoint and read back their normalised form.

    ``planned_drops``: live entities the plan will drop, dropped (with ``CASCADE``) before the
    creations.  A declared entity that then cannot be created, but can without those drops,
    raises a :class:`SimulationError` naming what it needs (``needs``).
    """
    try:
        return _simulate(conn, declared, live, upgrade_ops, predict, planned_drops, max_rounds)
    except SimulationError as error:
        if not planned_drops:
            raise
        # Without the drops, does it work?  Then the entity needs what the plan drops.
        _simulate(conn, declared, live, upgrade_ops, predict, (), max_rounds)
        needs = _mentioned(error.entity, planned_drops) or [x.entity for x in planned_drops]
        dbapi = getattr(conn.dialect, "loaded_dbapi", None)
        raise simulation_error(
            error.entity, error.error, dbapi.Error if dbapi else None, needs=needs
        ) from error.error


def _mentioned(entity: ReplaceableEntity, drops: Sequence[LiveEntity]) -> list[ReplaceableEntity]:
    words = kind_of(entity).mentions(entity)
    return [x.entity for x in drops if bare_name(x.entity).lower() in words]


def _simulate(
    conn: Connection,
    declared: Sequence[ReplaceableEntity],
    live: Sequence[LiveEntity],
    upgrade_ops: alembic_ops.UpgradeOps | None,
    predict: Predict | None,
    planned_drops: Sequence[LiveEntity],
    max_rounds: int | None,
) -> Simulation:
    result = Simulation()
    if not declared:
        return result
    schemas = {e.schema for e in declared} | {x.schema for x in live}
    kinds = {kind_of(e).entity_class for e in declared}
    live_keys = {x.key for x in live}
    live_index = _live_by_slot(live)
    drops = _drop_statements(declared, live_index, planned_drops)
    tables = new_table_statements(upgrade_ops, predict)
    order = guess_order(declared)
    deferred: dict[int, int] = defaultdict(int)
    # Each deferral may cost two rounds (find the failing statement of a batch, then retry).
    max_rounds = max_rounds if max_rounds is not None else 2 * len(declared) + 2
    dbapi_error = conn.dialect.loaded_dbapi.Error

    creates = [kind_of(e).simulation_create(e, live_index[kind_of(e)]) for e in order]
    # Positions from which statements run one at a time: a failing batch does not say which of
    # its statements failed, so the retry narrows it down.
    one_by_one_from = len(order)
    while True:
        result.rounds += 1
        savepoint = conn.begin_nested()
        # The driver's own connection (psycopg2): always there on a checked-out connection.
        cursor = cast(Any, conn.connection.driver_connection).cursor()
        try:
            _apply_table_steps(conn, tables, {"table", "add"})
            if drops:
                cursor.execute(";\n".join(drops))
            try:
                _apply_table_steps(conn, tables, {"alter"})
            except sa_exc.DBAPIError as error:
                # Something undeclared still depends on an altered column: simulate against
                # the current columns rather than fail (only normalisation may differ).
                logger.warning("replaceables: column changes not simulated: %s", error.orig)
                tables = [step for step in tables if step[0] != "alter"]
                continue
            failed = _run_creates(cursor, creates, one_by_one_from, dbapi_error)
            if failed is None:
                created = read_live(conn, schemas, kinds)
                result.normalised = _match_created(order, created, live_keys)
                result.order = list(order)
                return result
        finally:
            cursor.close()
            savepoint.rollback()

        position, failure = failed
        if position < one_by_one_from:
            # A batch failed: run it again statement by statement to find the culprit.
            one_by_one_from = position
            continue
        # The guessed order was wrong (or the entity is broken): retry with it moved last.
        entity = order[position]
        deferred[id(entity)] += 1
        is_last = position == len(order) - 1
        if is_last or deferred[id(entity)] > 2 or result.rounds >= max_rounds:
            raise simulation_error(entity, failure, dbapi_error) from failure
        order = order[:position] + order[position + 1 :] + [entity]
        creates = creates[:position] + creates[position + 1 :] + [creates[position]]
        one_by_one_from = position


BATCH = 50


def _run_creates(
    cursor: Any,
    creates: Sequence[str | None],
    one_by_one_from: int,
    errors: type[BaseException],
) -> tuple[int, BaseException] | None:
    """Run the CREATE statements (None: nothing to run), batched (one round trip per ``BATCH``)
    before ``one_by_one_from`` and one at a time after; return ``(position, error)`` of a
    failure: the first position of the failing batch, or the failing statement's own position."""
    position = 0
    while position < len(creates):
        size = BATCH if position < one_by_one_from else 1
        size = min(size, max(1, one_by_one_from - position)) if position < one_by_one_from else 1
        batch = [sql for sql in creates[position : position + size] if sql]
        try:
            if batch:
                cursor.execute(";\n".join(batch))
        except errors as error:
            return position, error
        position += size
    return None


def _match_created(
    order: Sequence[ReplaceableEntity],
    read_back: Sequence[LiveEntity],
    live_keys: set[CatalogKey],
) -> dict[int, LiveEntity]:
    """Pair each declared entity with the object its CREATE made, through its kind's slot.

    Objects whose keys were live before are not candidates, unless the kind keeps its keys
    through the simulation (grants, extensions).  Overloaded functions share a slot; within one
    transaction oids are handed out in increasing order, so the n-th created function of a
    name is the n-th one declared in creation order.
    """
    by_slot: dict[tuple[Kind, Hashable], list[LiveEntity]] = defaultdict(list)
    for x in sorted(read_back, key=lambda x: x.key[1]):
        kind = kind_of(x.entity)
        if x.key in live_keys and not kind.keys_survive_simulation:
            continue
        by_slot[(kind, kind.live_slot(x))].append(x)
    taken: dict[tuple[Kind, Hashable], int] = defaultdict(int)
    matched: dict[int, LiveEntity] = {}
    for e in order:
        kind = kind_of(e)
        slot = (kind, kind.slot(e))
        candidates = by_slot.get(slot, [])
        n = taken[slot]
        if n >= len(candidates):
            raise CommandError(
                f"replaceables: {kind.describe(e)} was created but PostgreSQL does not report it "
                "back (a grant to a superuser, or from another role than the one running "
                "autogenerate, is not seen: alembic-utils #78)"
            )
        matched[id(e)] = kind.normalised(e, candidates[n])
        taken[slot] += 1
    return matched
