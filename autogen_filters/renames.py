"""Op-tree Rewriter turning drop+add pairs into renames during autogenerate.

Use it in ``process_revision_directives`` (alone, or chained after other rewriters)::

    from autogen_filters.renames import rename_writer        # ORM hints only
    context.configure(..., process_revision_directives=rename_writer)

    writer = make_rename_writer({"meta_network.old_col": "new_col"})  # plus declared renames

A column declared with ``info={"renamed_from": "old"}`` in the ORM, a rename in the map, or a
pair inferred under the rules of :mod:`rewriters.rename_rules` (the same rules the LibCST
rewriter uses) becomes ``AlterColumnOp(modify_name=...)`` in the upgrade. Alembic derives the
downgrade *before* this hook runs, and a rename-only ``AlterColumnOp.reverse()`` drops the rename
(alembic-notes A4, A7), so the downgrade rename is built by hand. Table pairs become
:class:`RenameTableDirective`, a ``RenameTableOp`` that renders, reverses and diffs (A8).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import render_python_code, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.rewriter import Rewriter
from alembic.operations import ops
from alembic_utils.reversible_op import RevertOp

from rewriters.rename_rules import SCHEMA_ONLY_OPS as RULES_SCHEMA_ONLY_OPS
from rewriters.rename_rules import (
    ColumnSpec,
    TypeSpec,
    declared_renames,
    describe_differences,
    normalise_server_default,
    normalise_type,
    pair_unique,
    quote_sql_literal,
    same_definition,
)

#: The Alembic op class of each schema-only operation of the rules (``op.*`` name -> class).
OP_CLASSES: dict[str, type] = {
    "add_column": ops.AddColumnOp,
    "drop_column": ops.DropColumnOp,
    "alter_column": ops.AlterColumnOp,
    "create_table": ops.CreateTableOp,
    "drop_table": ops.DropTableOp,
    "rename_table": ops.RenameTableOp,
    "create_index": ops.CreateIndexOp,
    "drop_index": ops.DropIndexOp,
    "create_foreign_key": ops.AddConstraintOp,
    "create_unique_constraint": ops.AddConstraintOp,
    "create_primary_key": ops.AddConstraintOp,
    "create_check_constraint": ops.AddConstraintOp,
    "create_exclude_constraint": ops.AddConstraintOp,
    "drop_constraint": ops.DropConstraintOp,
    "create_table_comment": ops.CreateTableCommentOp,
    "drop_table_comment": ops.DropTableCommentOp,
}
#: Ops that only change the schema (:data:`rewriters.rename_rules.SCHEMA_ONLY_OPS`), plus the
#: per-table container autogenerate groups them in: anything else between a drop and an add
#: blocks a rename.
SCHEMA_ONLY_OPS: tuple[type, ...] = (
    *dict.fromkeys(OP_CLASSES[name] for name in sorted(RULES_SCHEMA_ONLY_OPS)),
    ops.ModifyTableOps,
)
RENAMED_FROM = "renamed_from"


class RenameTableDirective(ops.RenameTableOp):
    """``RenameTableOp`` that autogenerate can render, reverse and report in ``alembic check``."""

    def reverse(self) -> RenameTableDirective:
        return RenameTableDirective(self.new_table_name, self.table_name, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("rename_table", self.schema, self.table_name, self.new_table_name)


@renderers.dispatch_for(RenameTableDirective)
def _render_rename_table(autogen_context: AutogenContext, op: RenameTableDirective) -> str:
    prefix = autogen_context.opts.get("alembic_module_prefix", "op.")
    schema = f", schema={op.schema!r}" if op.schema else ""
    return f"{prefix}rename_table({op.table_name!r}, {op.new_table_name!r}{schema})"


# -- specs from SQLAlchemy objects --------------------------------------------------------------
_TYPE_ATTRIBUTES = ("length", "precision", "scale", "timezone", "collation")


def type_spec_of(type_: Any) -> TypeSpec:
    """Canonical :class:`TypeSpec` of a SQLAlchemy type instance."""
    kwargs = {a: getattr(type_, a) for a in _TYPE_ATTRIBUTES if getattr(type_, a, None) is not None}
    if isinstance(type_, sa.Enum):
        kwargs["enums"] = tuple(type_.enums)
        kwargs["name"] = type_.name
    item_type = getattr(type_, "item_type", None)
    if item_type is not None:
        kwargs["item_type"] = type_spec_of(item_type)
    return normalise_type(type(type_).__name__, (), kwargs)


def column_spec_of(column: sa.Column) -> ColumnSpec:
    """Spec of a metadata or reflected column, comparable under the shared rules."""
    default = column.server_default
    sql: str | None = None
    if default is not None:
        arg = getattr(default, "arg", None)
        sql = quote_sql_literal(arg) if isinstance(arg, str) else str(getattr(arg, "text", arg))
    extras: list[tuple[str, str]] = []
    if column.primary_key:
        extras.append(("primary_key", "True"))
    if column.comment:
        extras.append(("comment", repr(column.comment)))
    if column.computed is not None:
        extras.append(("computed", str(column.computed.sqltext)))
    if column.identity is not None:
        extras.append(("identity", "True"))
    return ColumnSpec(
        name=column.name,
        type=type_spec_of(column.type),
        nullable=bool(column.nullable),
        server_default=normalise_server_default(sql, column.autoincrement is True),
        extras=tuple(sorted(extras)),
    )


# -- the rewriter ---------------------------------------------------------------------------------
def _blocker(operations: Sequence[Any], first: Any, second: Any) -> str | None:
    low, high = sorted((operations.index(first), operations.index(second)))
    for operation in operations[low + 1 : high]:
        if not isinstance(operation, SCHEMA_ONLY_OPS):
            return f"{type(operation).__name__} between drop and add"
    return None


def _schemas(schema: str | None) -> tuple[str, ...]:
    return (schema,) if schema else ()


Companions = Callable[[str], Iterable[str]]


def _no_companions(table: str) -> tuple[str, ...]:
    return ()


class _RenamePlanner:
    def __init__(self, renames: Mapping[str, str], companions: Companions) -> None:
        self.renames = dict(renames)
        self.companions = companions
        self.ambiguities: list[str] = []
        self.table_renames: list[tuple[str, str]] = []

    def columns(
        self,
        upgrade: ops.ModifyTableOps,
        downgrade: ops.ModifyTableOps,
        followed: Sequence[tuple[str, str]] = (),
    ) -> list[tuple[str, str]]:
        """Rename drop+add pairs of one table; ``followed`` are renames it must mirror.

        Returns the renames made, for the table's companions to follow.
        """
        up_adds = {o.column.name: o for o in upgrade.ops if isinstance(o, ops.AddColumnOp)}
        up_drops = {o.column_name: o for o in upgrade.ops if isinstance(o, ops.DropColumnOp)}
        down_adds = {o.column.name: o for o in downgrade.ops if isinstance(o, ops.AddColumnOp)}
        down_drops = {o.column_name: o for o in downgrade.ops if isinstance(o, ops.DropColumnOp)}
        dropped = [name for name in up_drops if name in down_adds]
        added = [name for name in up_adds if name in down_drops]
        if not dropped or not added:
            return []
        declared = declared_renames(self.renames, upgrade.table_name, _schemas(upgrade.schema))
        declared.update(followed)
        for new in added:
            hint = up_adds[new].column.info.get(RENAMED_FROM)
            if isinstance(hint, str):
                declared[hint] = new
        old_specs = {name: column_spec_of(down_adds[name].column) for name in dropped}
        new_specs = {name: column_spec_of(up_adds[name].column) for name in added}
        pairing = pair_unique(
            dropped,
            added,
            lambda old, new: same_definition(old_specs[old], new_specs[new]),
            lambda old, new: (
                _blocker(upgrade.ops, up_drops[old], up_adds[new])
                or _blocker(downgrade.ops, down_adds[old], down_drops[new])
            ),
            {old: new for old, new in declared.items() if old in old_specs},
        )
        for old, new in pairing.pairs:
            old_column, new_column = down_adds[old].column, up_adds[new].column
            forward = _alter(
                upgrade, old, new, old_column, new_column, old_specs[old], new_specs[new]
            )
            backward = _alter(
                downgrade, new, old, new_column, old_column, new_specs[new], old_specs[old]
            )
            _replace_pair(upgrade.ops, up_drops[old], up_adds[new], forward)
            _replace_pair(downgrade.ops, down_adds[old], down_drops[new], backward)
            _drop_recreated_objects([upgrade], [downgrade], old, new)
        for ambiguity in pairing.ambiguities:
            self.ambiguities.append(
                f"possible rename of {upgrade.table_name}.{ambiguity.dropped}; candidates: "
                f"{', '.join(map(str, ambiguity.candidates))} ({ambiguity.reason})"
            )
        return pairing.pairs

    def tables(self, upgrade: ops.UpgradeOps, downgrade: ops.DowngradeOps) -> None:
        def keyed(operations: list[Any], kind: type) -> dict[tuple[str | None, str], Any]:
            return {(o.schema, o.table_name): o for o in operations if type(o) is kind}

        up_creates, up_drops = (
            keyed(upgrade.ops, ops.CreateTableOp),
            keyed(upgrade.ops, ops.DropTableOp),
        )
        down_creates = keyed(downgrade.ops, ops.CreateTableOp)
        down_drops = keyed(downgrade.ops, ops.DropTableOp)
        for schema in {s for s, _ in up_drops} & {s for s, _ in up_creates}:
            dropped = [t for (s, t) in up_drops if s == schema and (s, t) in down_creates]
            added = [t for (s, t) in up_creates if s == schema and (s, t) in down_drops]

            def specs(op: ops.CreateTableOp) -> dict[str, ColumnSpec]:
                return {c.name: column_spec_of(c) for c in op.columns if isinstance(c, sa.Column)}

            old_specs = {t: specs(down_creates[(schema, t)]) for t in dropped}
            new_specs = {t: specs(up_creates[(schema, t)]) for t in added}

            def equal(old: str, new: str) -> bool:
                a, b = old_specs[old], new_specs[new]  # noqa: B023
                return (
                    bool(a) and a.keys() == b.keys() and all(same_definition(a[c], b[c]) for c in a)
                )

            def blocked(old: str, new: str, schema: str | None = schema) -> str | None:
                return _blocker(
                    upgrade.ops, up_drops[(schema, old)], up_creates[(schema, new)]
                ) or _blocker(downgrade.ops, down_creates[(schema, old)], down_drops[(schema, new)])

            declared = declared_renames(self.renames, None, _schemas(schema))
            pairing = pair_unique(dropped, added, equal, blocked, declared)
            followed = self._companion_pairs(pairing.pairs, dropped, added, declared)
            if followed:
                # A renamed table's companions (e.g. its history table) are renamed with it.
                pairing = pair_unique(dropped, added, equal, blocked, {**declared, **followed})
            for old, new in pairing.pairs:
                self._rename_table(upgrade, downgrade, schema, old, new)
            for ambiguity in pairing.ambiguities:
                self.ambiguities.append(
                    f"possible rename of table {ambiguity.dropped}; candidates: "
                    f"{', '.join(map(str, ambiguity.candidates))} ({ambiguity.reason})"
                )

    def _rename_table(
        self,
        upgrade: ops.UpgradeOps,
        downgrade: ops.DowngradeOps,
        schema: str | None,
        old: str,
        new: str,
    ) -> None:
        """Replace the drop+create of ``old``/``new`` by a rename, plus the column changes
        inside the table, in both trees."""

        def find(operations: list[Any], kind: type, table: str) -> Any:
            return next(
                o
                for o in operations
                if type(o) is kind and (o.schema, o.table_name) == (schema, table)
            )

        up_create, up_drop = (
            find(upgrade.ops, ops.CreateTableOp, new),
            find(upgrade.ops, ops.DropTableOp, old),
        )
        down_create, down_drop = (
            find(downgrade.ops, ops.CreateTableOp, old),
            find(downgrade.ops, ops.DropTableOp, new),
        )
        changes = _column_changes(schema, new, down_create, up_create)
        forward = RenameTableDirective(old, new, schema=schema)
        _replace_pair(upgrade.ops, up_drop, up_create, forward)
        backward = RenameTableDirective(new, old, schema=schema)
        # Where the new table was dropped: just after the ops on it (index drops...).
        _replace_pair(downgrade.ops, down_create, down_drop, backward, later=True)
        if changes:
            at = upgrade.ops.index(forward) + 1
            _container_for(upgrade.ops, schema, new, at).ops[0:0] = changes
            at = downgrade.ops.index(backward)
            container = _container_for(downgrade.ops, schema, new, at)
            container.ops.extend(change.reverse() for change in reversed(changes))
        self.table_renames.append((old, new))

    def _companion_pairs(
        self,
        pairs: Sequence[tuple[str, str]],
        dropped: Sequence[str],
        added: Sequence[str],
        declared: Mapping[str, str],
    ) -> dict[str, str]:
        followed: dict[str, str] = {}
        for old, new in pairs:
            for old_companion, new_companion in zip(
                self.companions(old), self.companions(new), strict=False
            ):
                if (
                    old_companion in dropped
                    and new_companion in added
                    and old_companion not in declared
                ):
                    followed[old_companion] = new_companion
        return followed

    def script(self, upgrade: ops.UpgradeOps, downgrade: ops.DowngradeOps) -> None:
        """Tables first, then the columns of each table before those of its companions."""
        self.tables(upgrade, downgrade)
        down_tables = {
            (o.schema, o.table_name): o for o in downgrade.ops if isinstance(o, ops.ModifyTableOps)
        }
        containers = [
            o
            for o in upgrade.ops
            if isinstance(o, ops.ModifyTableOps) and (o.schema, o.table_name) in down_tables
        ]
        leader_of = {
            (c.schema, companion): c.table_name
            for c in containers
            for companion in self.companions(c.table_name)
        }
        made: dict[tuple[str | None, str], list[tuple[str, str]]] = {}
        leaders = [c for c in containers if (c.schema, c.table_name) not in leader_of]
        followers = [c for c in containers if (c.schema, c.table_name) in leader_of]
        for container in leaders:
            key = (container.schema, container.table_name)
            made[key] = self.columns(container, down_tables[key])
        for container in followers:
            key = (container.schema, container.table_name)
            leader = made.get((container.schema, leader_of[key]), [])
            self.columns(container, down_tables[key], leader)
        for old, new in self.table_renames:
            _drop_recreated_objects(
                _table_containers(upgrade.ops), _table_containers(downgrade.ops), old, new
            )
        for tree in (upgrade, downgrade):
            tree.ops[:] = [
                o for o in tree.ops if not (isinstance(o, ops.ModifyTableOps) and not o.ops)
            ]
        _downgrade_renames_first(downgrade)


def _alter(
    container: ops.ModifyTableOps,
    old: str,
    new: str,
    old_column: sa.Column,
    new_column: sa.Column,
    old_spec: ColumnSpec,
    new_spec: ColumnSpec,
) -> ops.AlterColumnOp:
    """Rename ``old`` to ``new``, carrying a declared rename's other changes along."""
    differences = describe_differences(old_spec, new_spec)
    return ops.AlterColumnOp(
        container.table_name,
        old,
        schema=container.schema,
        existing_type=old_column.type,
        existing_nullable=old_column.nullable,
        modify_name=new,
        modify_type=new_column.type if "type" in differences else None,
        modify_nullable=new_column.nullable if "nullable" in differences else None,
        modify_server_default=new_column.server_default
        if "server_default" in differences
        else False,
    )


def _replace_pair(
    operations: list[Any], first: Any, second: Any, replacement: Any, *, later: bool = False
) -> None:
    """Put ``replacement`` where the earlier (or ``later``) of the two ops was and remove the
    other one."""
    low, high = sorted((operations.index(first), operations.index(second)))
    if later:
        low, high = high, low
    operations[low] = replacement
    del operations[high]


def _render(operation: ops.MigrateOperation) -> str:
    return render_python_code(ops.UpgradeOps(ops=[operation]))


def _object_name(operation: Any) -> str | None:
    name = getattr(operation, "index_name", None) or getattr(operation, "constraint_name", None)
    return str(name) if name else None


# op.f('name'): a name already converted by a naming convention. Reflected and declared
# versions of one object may differ in this marking only.
_CONVENTIONAL = re.compile(r"op\.f\(('[^']*')\)")


def _drop_recreated_objects(
    upgrade: Sequence[ops.ModifyTableOps],
    downgrade: Sequence[ops.ModifyTableOps],
    old: str,
    new: str,
) -> None:
    """Remove index/constraint drop+create pairs that only move the object to the renamed
    column or table: PostgreSQL carries indexes and constraints (foreign keys pointing at
    the table included) across RENAME COLUMN and RENAME TABLE.

    The two ``create`` ops are compared as rendered code, with the quoted old name replaced
    by the new one in the downgrade's (reflected) version. ``upgrade`` and ``downgrade`` are
    the table containers to search (the drop and the create may sit in different ones).
    """
    creates = (ops.CreateIndexOp, ops.AddConstraintOp)
    drops = (ops.DropIndexOp, ops.DropConstraintOp)

    def by_name(containers: Sequence[Any], kinds: tuple[type, ...]) -> dict[str, Any]:
        named = {}
        for container in containers:
            for operation in container.ops:
                name = _object_name(operation) if isinstance(operation, kinds) else None
                if name is not None:
                    named[name] = (container, operation)
        return named

    up_creates, up_drops = by_name(upgrade, creates), by_name(upgrade, drops)
    down_creates, down_drops = by_name(downgrade, creates), by_name(downgrade, drops)
    for name, up_create in up_creates.items():
        down_create = down_creates.get(name)
        if down_create is None or name not in up_drops or name not in down_drops:
            continue
        try:
            before, after = _render(down_create[1]), _render(up_create[1])
        except (ValueError, NotImplementedError):  # an op without a renderer: keep it
            continue
        before, after = _CONVENTIONAL.sub(r"\1", before), _CONVENTIONAL.sub(r"\1", after)
        moved = before.replace(repr(old), repr(new))
        if moved == after and before != after:
            for container, operation in (
                up_create,
                up_drops[name],
                down_create,
                down_drops[name],
            ):
                container.ops.remove(operation)


def _table_containers(operations: list[Any]) -> list[ops.ModifyTableOps]:
    return [o for o in operations if isinstance(o, ops.ModifyTableOps)]


def _container_for(
    operations: list[Any], schema: str | None, table: str, at: int
) -> ops.ModifyTableOps:
    """The ModifyTableOps of ``table`` in ``operations``, inserted at ``at`` when missing."""
    for operation in operations:
        if isinstance(operation, ops.ModifyTableOps) and (
            operation.schema,
            operation.table_name,
        ) == (schema, table):
            return operation
    container = ops.ModifyTableOps(table, [], schema=schema)
    operations.insert(at, container)
    return container


def _column_changes(
    schema: str | None, table: str, before: ops.CreateTableOp, after: ops.CreateTableOp
) -> list[ops.MigrateOperation]:
    """Columns a renamed table gains or loses, as ops on its new name.

    Autogenerate saw a drop and a create, so it compared nothing inside the table; these
    ops (which the column pass may pair into renames) make up for it.
    """

    def columns(op: ops.CreateTableOp) -> dict[str, sa.Column]:
        return {c.name: c for c in op.columns if isinstance(c, sa.Column)}

    old, new = columns(before), columns(after)
    changes: list[ops.MigrateOperation] = [
        ops.AddColumnOp.from_column_and_tablename(schema, table, new[name])
        for name in new
        if name not in old
    ]
    changes += [
        ops.DropColumnOp.from_column_and_tablename(schema, table, old[name])
        for name in old
        if name not in new
    ]
    return changes


def _first_table_op(operations: list[Any]) -> int:
    return next(
        (i for i, o in enumerate(operations) if isinstance(o, SCHEMA_ONLY_OPS)), len(operations)
    )


def _mentions(operation: Any, names: Sequence[str]) -> bool:
    """Whether a replaceable entity op's SQL names one of ``names`` (as a whole word)."""
    entities = [operation.target, getattr(operation.target, "_version_to_replace", None)]
    text = " ".join(
        str(getattr(entity, attribute, ""))
        for entity in entities
        if entity is not None
        for attribute in ("signature", "definition", "on_entity")
    )
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)


def _downgrade_renames_first(downgrade: ops.DowngradeOps) -> None:
    """Move each table rename back, with the ops on its new name just before it, to the
    start of the downgrade's table operations; then move the entity reverts that name an
    old table (a view put back as it read the table) to just after the renames.

    The downgrade is the upgrade reversed, so a rename that came first in the upgrade
    would come last, after ops that already need the old name back (a foreign key, an index
    or a column re-created on it), and a revert that came last would come first. Ops on the
    new name (column renames back, index drops, entity drops) keep running before it.
    """
    units: list[list[Any]] = []
    for operation in list(downgrade.ops):
        if not isinstance(operation, RenameTableDirective):
            continue
        position = downgrade.ops.index(operation)
        unit = [operation]
        before = downgrade.ops[position - 1] if position else None
        if isinstance(before, ops.ModifyTableOps) and (before.schema, before.table_name) == (
            operation.schema,
            operation.table_name,
        ):
            unit.insert(0, before)
        units.append(unit)
    if not units:
        return
    old_names = [unit[-1].new_table_name for unit in units]
    moved = [operation for unit in units for operation in unit]
    # The renames are table ops themselves: everything moves to or before its position.
    start = _first_table_op(downgrade.ops)
    reverts = [
        operation
        for operation in downgrade.ops[:start]
        if isinstance(operation, RevertOp) and _mentions(operation, old_names)
    ]
    for operation in moved + reverts:
        downgrade.ops.remove(operation)
    start -= len(reverts)
    downgrade.ops[start:start] = moved + reverts


def make_rename_writer(
    renames: Mapping[str, str] | None = None, *, companions: Companions | None = None
) -> Rewriter:
    """A Rewriter applying declared (``renames``, ORM ``info["renamed_from"]``) and inferred
    renames to both the upgrade and the downgrade tree of each migration script.

    ``companions(table)`` names the tables that mirror ``table``'s columns (pycds: its
    history table). A column rename decided on ``table`` is applied to the same drop+add pair
    of each companion, and a table rename ``old -> new`` renames ``companions(old)`` to
    ``companions(new)`` (pairwise) when the draft drops the one and creates the other. Each
    companion must be named for its leader alone.

    Ambiguous cases are left as drop+add; their descriptions are kept on the rewriter's
    ``ambiguities`` list (cleared per run) for callers that want to report them.
    """
    writer = Rewriter()
    writer.ambiguities = []  # type: ignore[attr-defined]

    @writer.rewrites(ops.MigrationScript)
    def _rewrite_script(context: Any, revision: Any, script: ops.MigrationScript) -> Any:
        planner = _RenamePlanner(renames or {}, companions or _no_companions)
        for upgrade, downgrade in zip(
            script.upgrade_ops_list, script.downgrade_ops_list, strict=False
        ):
            planner.script(upgrade, downgrade)
        writer.ambiguities[:] = planner.ambiguities  # type: ignore[attr-defined]
        return script

    return writer


#: Rewriter using ORM hints (``info={"renamed_from": ...}``) and inferred renames only.
rename_writer = make_rename_writer()
rename_rewriter = rename_writer
