"""Create every declared entity in one savepoint so PostgreSQL normalises them; read them back.

alembic-utils simulates each entity in its own savepoints, several times, with every earlier
change re-created as a dependency: quadratic.  Here one savepoint holds the whole declared
state: new tables first (from the autogenerate's ``CreateTableOp``/``AddColumnOp``), then the
live copies of declared entities are dropped, then all declared entities are created in an
order guessed from the names their definitions mention.  If a creation still fails (the guess
was wrong) the savepoint is rolled back and the round restarts with the failed entity moved
behind the others: a few rounds at most, not one savepoint per entity.  The created objects
are read back with the catalog queries of ``catalog.py`` and the savepoint is rolled back.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.operations import ops as alembic_ops
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import MetaData, Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.sqltypes import SchemaType

from .catalog import MANAGED_KINDS, LiveEntity, kind_of, read_live
from .depends import creation_order

# How an op of this autogenerate will be emitted in the end (None: not at all).
Predict = Callable[[alembic_ops.MigrateOperation], alembic_ops.MigrateOperation | None]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


class SimulationError(RuntimeError):
    """A declared entity cannot be created even after everything else was."""

    def __init__(self, entity: ReplaceableEntity, error: Exception):
        self.entity = entity
        self.error = error
        super().__init__(f"cannot create {entity.identity}: {error}")


@dataclass
class Simulation:
    """Result: each declared entity as PostgreSQL normalised it, and a working creation order."""

    normalised: dict[int, LiveEntity] = field(default_factory=dict)  # id(declared) -> entity
    order: list[ReplaceableEntity] = field(default_factory=list)  # the order that succeeded
    rounds: int = 0

    def of(self, declared: ReplaceableEntity) -> LiveEntity:
        return self.normalised[id(declared)]


def bare_name(entity: ReplaceableEntity) -> str:
    """The object's own name: function name without arguments, view or trigger name."""
    return entity.signature.split("(", 1)[0].strip()


def trigger_table(trigger: PGTrigger) -> tuple[str, str]:
    """``(schema, table)`` the trigger is created on (alembic-utils uses ``trigger.schema``)."""
    return trigger.schema, trigger.on_entity.partition(".")[2] or trigger.on_entity


def guess_order(entities: Sequence[ReplaceableEntity]) -> list[ReplaceableEntity]:
    """Order by the names each definition mentions: what is mentioned is created first.

    A cheap stand-in for dependencies that do not exist yet; wrong guesses cost a retry round.
    Functions come before views, views before triggers, when nothing else decides.
    """
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entities):
        by_name[bare_name(e).lower()].append(i)
    needs: dict[int, set[int]] = {}
    for i, e in enumerate(entities):
        words = {w.lower() for w in _WORD.findall(e.definition)}
        if isinstance(e, PGTrigger):
            words.add(e.on_entity.partition(".")[2].lower())
        needs[i] = {j for w in words for j in by_name.get(w, ()) if j != i}
    kind_rank = {k: n for n, k in enumerate(MANAGED_KINDS)}
    order = creation_order(
        range(len(entities)), needs, rank=lambda i: (kind_rank[kind_of(entities[i])], i)
    )
    return [entities[i] for i in order]


def _create_statement(entity: ReplaceableEntity):
    # Materialized views are simulated without data, as alembic-utils does (0.7.1+).
    if isinstance(entity, PGMaterializedView) and entity.with_data:
        entity = copy.copy(entity)
        entity.with_data = False
    return entity.to_sql_statement_create()


def _drop_statements(
    declared: Sequence[ReplaceableEntity], live: Sequence[LiveEntity]
) -> list[str]:
    """Drop the live objects that the declared ones would collide with (CASCADE, IF EXISTS).

    Views, materialized views and triggers are matched by name against the catalog so that a
    drop never fails; functions are matched by PostgreSQL itself (``DROP FUNCTION IF EXISTS``
    resolves the argument types, which a text comparison of signatures cannot).
    """
    relations = {(x.schema, x.name): x.entity for x in live if x.key[0] == "pg_class"}
    triggers = {(x.schema, x.table, x.name) for x in live if x.key[0] == "pg_trigger"}
    statements = []
    for e in declared:
        if isinstance(e, PGFunction):
            drop = str(e.to_sql_statement_drop(cascade=True))
            statements.append(drop.replace("DROP FUNCTION ", "DROP FUNCTION IF EXISTS ", 1))
        elif isinstance(e, PGView | PGMaterializedView):
            existing = relations.get((e.schema, e.signature))
            if existing is not None:
                statements.append(str(existing.to_sql_statement_drop(cascade=True)))
        elif isinstance(e, PGTrigger):
            schema, table = trigger_table(e)
            if (schema, table, e.signature) in triggers:
                statements.append(
                    f'DROP TRIGGER IF EXISTS "{e.signature}" ON "{schema}"."{table}" CASCADE'
                )
    # A view's DROP can have cascaded to another declared view: IF EXISTS keeps it harmless.
    return [
        s.replace("DROP VIEW ", "DROP VIEW IF EXISTS ", 1).replace(
            "DROP MATERIALIZED VIEW ", "DROP MATERIALIZED VIEW IF EXISTS ", 1
        )
        for s in statements
    ]


def _emitted(op, predict: Predict | None):
    return op if predict is None else predict(op)


def new_table_statements(
    upgrade_ops: alembic_ops.UpgradeOps | None, predict: Predict | None = None
) -> list:
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
    steps: list = []
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


def _apply_table_steps(conn: Connection, steps: list, kinds: set[str]) -> None:
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
    max_rounds: int | None = None,
) -> Simulation:
    """Create all ``declared`` entities in one savepoint and read back their normalised form."""
    result = Simulation()
    if not declared:
        return result
    schemas = {e.schema for e in declared} | {x.schema for x in live}
    kinds = {kind_of(e) for e in declared}
    live_keys = {x.key for x in live}
    drops = _drop_statements(declared, live)
    tables = new_table_statements(upgrade_ops, predict)
    order = guess_order(declared)
    deferred: dict[int, int] = defaultdict(int)
    # Each deferral may cost two rounds (find the failing statement of a batch, then retry).
    max_rounds = max_rounds if max_rounds is not None else 2 * len(declared) + 2

    creates = [_raw_sql(_create_statement(e)) for e in order]
    # Positions from which statements run one at a time: a failing batch does not say which of
    # its statements failed, so the retry narrows it down.
    one_by_one_from = len(order)
    while True:
        result.rounds += 1
        savepoint = conn.begin_nested()
        cursor = conn.connection.driver_connection.cursor()
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
            failed = _run_creates(cursor, creates, one_by_one_from, conn.dialect.dbapi.Error)
            if failed is None:
                created = [x for x in read_live(conn, schemas, kinds) if x.key not in live_keys]
                result.normalised = _match_created(order, created)
                result.order = list(order)
                return result
        finally:
            cursor.close()
            savepoint.rollback()

        position, error = failed
        if position < one_by_one_from:
            # A batch failed: run it again statement by statement to find the culprit.
            one_by_one_from = position
            continue
        # The guessed order was wrong (or the entity is broken): retry with it moved last.
        entity = order[position]
        deferred[id(entity)] += 1
        is_last = position == len(order) - 1
        if is_last or deferred[id(entity)] > 2 or result.rounds >= max_rounds:
            raise SimulationError(entity, error)
        order = order[:position] + order[position + 1 :] + [entity]
        creates = creates[:position] + creates[position + 1 :] + [creates[position]]
        one_by_one_from = position


BATCH = 50


def _raw_sql(clause) -> str:
    """The SQL of an alembic-utils ``text()`` clause, with its escaped colons restored."""
    return clause.text.replace("\\:", ":")


def _run_creates(cursor, creates: Sequence[str], one_by_one_from: int, errors):
    """Run the CREATE statements, batched (one round trip per ``BATCH``) before
    ``one_by_one_from`` and one at a time after; return ``(position, error)`` of a failure:
    the first position of the failing batch, or the failing statement's own position."""
    position = 0
    while position < len(creates):
        size = BATCH if position < one_by_one_from else 1
        size = min(size, max(1, one_by_one_from - position)) if position < one_by_one_from else 1
        try:
            cursor.execute(";\n".join(creates[position : position + size]))
        except errors as error:
            return position, error
        position += size
    return None


def _match_created(
    order: Sequence[ReplaceableEntity], created: Sequence[LiveEntity]
) -> dict[int, LiveEntity]:
    """Pair each declared entity with the object its CREATE made.

    Views and triggers are found by name.  Overloaded functions share a name; within one
    transaction oids are handed out in increasing order, so the n-th created function of a
    name is the n-th one declared in creation order.
    """
    by_name: dict[tuple, list[LiveEntity]] = defaultdict(list)
    for x in sorted(created, key=lambda x: x.key[1]):
        by_name[(x.key[0], x.schema, x.table, x.name)].append(x)
    taken: dict[tuple, int] = defaultdict(int)
    matched: dict[int, LiveEntity] = {}
    for e in order:
        if isinstance(e, PGTrigger):
            schema, table = trigger_table(e)
            key = ("pg_trigger", schema, table, e.signature)
        elif isinstance(e, PGFunction):
            key = ("pg_proc", e.schema, None, bare_name(e))
        else:
            key = ("pg_class", e.schema, None, e.signature)
        candidates = by_name.get(key, [])
        n = taken[key]
        if n >= len(candidates):
            raise RuntimeError(f"created object of {e.identity} not found in the catalog")
        matched[id(e)] = candidates[n]
        taken[key] += 1
    return matched
