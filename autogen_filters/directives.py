"""Filter the autogenerate op tree: attribute and definition differences, empty containers.

Runs as (part of) ``process_revision_directives``. By then Alembic has already derived the
downgrade from the upgrade (``upgrade_ops.reverse_into``), so every rule is applied to *both*
trees, with the roles of the two sides swapped in the downgrade:

* a create-like op (``create_table``, ``add_column``, ``create_index``, ``create_entity``...) is an
  ``orm_only`` difference in the upgrade and a ``db_only`` one in the downgrade; drops the reverse;
* an ``alter_column`` carries the ORM value in ``modify_*`` and the database value in
  ``existing_*`` in the upgrade, and the reverse in the downgrade; a suppressed attribute is
  cleared from the op and an op left without changes is removed;
* a drop and a create of the same kind, table and identity (same name; for foreign keys the same
  columns, since PostgreSQL names them freely) form a ``definition`` difference when one rule
  matches both; a lone drop or create is never a definition difference;
* ``replace_entity`` (upgrade) / its revert (downgrade) are ``definition`` differences;
* an op marked ``displaced`` (a drop or create the replaceables comparator makes so that another
  change can go through, e.g. a matview over a column whose type changes) is never suppressed,
  whatever its kind and whichever rule names the object: removing it would break that change.

Filtering both trees symmetrically, instead of rebuilding the downgrade, keeps whatever other
hooks (renames, replaceables) put in the downgrade. Suppressions are recorded from the upgrade
tree only, so each is reported once. ``ModifyTableOps`` left empty are removed.
"""

from __future__ import annotations

import copy
from typing import Any

from alembic.operations import ops
from alembic_utils import reversible_op

from .matching import Matcher, Subject
from .subjects import (
    is_entity,
    op_kind_and_identity,
    render_default,
    render_nullable,
    render_type,
)

__all__ = ["DOWNGRADE", "UPGRADE", "DirectiveFilter", "filter_ops", "subjects_of_op"]

UPGRADE = "upgrade"
DOWNGRADE = "downgrade"


class DirectiveFilter:
    """A ``process_revision_directives`` callable applying a matcher to every script."""

    def __init__(self, matcher: Matcher):
        self.matcher = matcher

    def __call__(self, context: Any, revision: Any, directives: list[Any]) -> None:
        for script in directives:
            for upgrade_ops in script.upgrade_ops_list:
                filter_ops(upgrade_ops, self.matcher, UPGRADE)
            for downgrade_ops in script.downgrade_ops_list:
                filter_ops(downgrade_ops, self.matcher, DOWNGRADE)


def filter_ops(container: ops.OpContainer, matcher: Matcher, side: str) -> None:
    """Remove or trim, in place, every op of ``container`` covered by a rule."""
    record = side == UPGRADE
    paired = _suppress_definition_pairs(container.ops, matcher, side, record)
    kept: list[Any] = []
    for op in container.ops:
        if id(op) in paired:
            continue
        if isinstance(op, ops.ModifyTableOps):
            filter_ops(op, matcher, side)
            if op.ops:
                kept.append(op)
            continue
        if isinstance(op, ops.AlterColumnOp):
            _trim_alter_column(op, matcher, side, record)
            if op.has_changes():
                kept.append(op)
            continue
        subject = _presence_subject(op, side)
        if subject is not None and matcher.suppress(subject, record=record):
            continue
        kept.append(op)
    container.ops = kept


def predict_upgrade_op(op: Any, matcher: Matcher) -> Any | None:
    """How ``op`` of an upgrade tree will be emitted after filtering: the op itself, a
    trimmed copy (an ``alter_column`` that loses suppressed attributes), or None when it is
    suppressed. Records nothing: callers ask ahead of the filter (e.g. a comparator that
    simulates the table changes), and the filter itself records later."""
    if isinstance(op, ops.AlterColumnOp):
        trimmed = copy.copy(op)
        _trim_alter_column(trimmed, matcher, UPGRADE, record=False)
        return trimmed if trimmed.has_changes() else None
    subject = _presence_subject(op, UPGRADE)
    if subject is not None and matcher.suppress(subject, record=False):
        return None
    return op


def subjects_of_op(op: Any, side: str = UPGRADE) -> list[Subject]:
    """Every difference a single op stands for (used by the baseline writer and reports)."""
    if isinstance(op, ops.AlterColumnOp):
        return [subject for _, subject in _alter_subjects(op, side)]
    subject = _presence_subject(op, side)
    return [subject] if subject is not None else []


# --- presence: create / drop ----------------------------------------------------------------

# alembic-utils ops (and subclasses, e.g. autogen_filters.replaceables.ops): a revert is the
# downgrade side of a replace.
_ENTITY_OPS = (
    (reversible_op.CreateOp, "create"),
    (reversible_op.DropOp, "drop"),
    ((reversible_op.ReplaceOp, reversible_op.RevertOp), "replace"),
)
_CREATE_OPS = (ops.CreateTableOp, ops.AddColumnOp, ops.CreateIndexOp, ops.AddConstraintOp)
_DROP_OPS = (ops.DropTableOp, ops.DropColumnOp, ops.DropIndexOp, ops.DropConstraintOp)


def _direction(op: Any) -> str | None:
    """``create``, ``drop``, ``replace`` or None for an op this module does not judge."""
    if isinstance(op, _CREATE_OPS):
        return "create"
    if isinstance(op, _DROP_OPS):
        return "drop"
    if is_entity(getattr(op, "target", None)):
        for classes, direction in _ENTITY_OPS:
            if isinstance(op, classes):
                return direction
        # Look-alike ops from other comparators are recognised by their class name.
        op_name = type(op).__name__.lower()
        for word in ("create", "drop", "replace", "revert"):
            if op_name.startswith(word):
                return "replace" if word == "revert" else word
    return None


def _presence_subject(op: Any, side: str) -> Subject | None:
    if getattr(op, "displaced", False):
        # Only makes way for another change (replaceables' plan): it follows that change,
        # and no rule may hide it on its own.
        return None
    direction = _direction(op)
    identity = op_kind_and_identity(op)
    if direction is None or identity is None:
        return None
    kind, schema, table, name = identity
    if direction == "replace":
        difference = "definition"
    elif (direction == "create") == (side == UPGRADE):
        difference = "orm_only"
    else:
        difference = "db_only"
    return Subject(kind, difference, schema, table, name)


# --- definition: drop + create pairs ----------------------------------------------------------


def _pair_key(op: Any) -> tuple[Any, ...] | None:
    identity = op_kind_and_identity(op)
    if identity is None:
        return None
    kind, schema, table, name = identity
    if kind in ("table", "column"):
        return None  # a dropped and re-added column is a rename or a data change, not a definition
    if kind == "foreign_key_constraint":
        columns = _fk_columns(op)
        if columns is not None:
            return (kind, schema, table, columns)
    return (kind, schema, table, name)


def _fk_columns(op: Any) -> tuple[str, ...] | None:
    if isinstance(op, ops.DropConstraintOp):
        op = op._reverse  # the AddConstraintOp autogenerate keeps to reverse the drop
        if op is None:
            return None
    try:
        constraint = op.to_constraint()
    except Exception:  # an op without its constraint cannot be paired by columns
        return None
    return tuple(element.parent.name for element in constraint.elements)


def _suppress_definition_pairs(
    siblings: list[Any], matcher: Matcher, side: str, record: bool
) -> set[int]:
    """Find drop+create pairs of one object covered by a ``definition`` rule.

    Pairs are made by identity (same name; same columns for foreign keys), then, for objects
    renamed as well as changed, by the ``(?P<key>...)`` group of the rule's name pattern: a
    drop and a create whose names both match the rule with the same key are one object.
    """
    drops: list[Any] = []
    creates: list[Any] = []
    for op in siblings:
        if getattr(op, "displaced", False):
            continue  # makes way for another change: never a difference of its own
        direction = _direction(op)
        if direction in ("create", "drop") and _pair_key(op) is not None:
            (creates if direction == "create" else drops).append(op)

    suppressed: set[int] = set()

    def try_pair(drop_op: Any, create_op: Any, by_key: bool) -> bool:
        # In the upgrade the drop removes the DB's version; in the downgrade it removes the ORM's.
        db_op, orm_op = (drop_op, create_op) if side == UPGRADE else (create_op, drop_op)
        db_identity, orm_identity = op_kind_and_identity(db_op), op_kind_and_identity(orm_op)
        assert db_identity is not None and orm_identity is not None  # creates and drops only
        kind, schema, table, db_name = db_identity
        orm_kind, orm_schema, orm_table, orm_name = orm_identity
        if (kind, schema, table) != (orm_kind, orm_schema, orm_table):
            return False
        rule = matcher.find(Subject(kind, "definition", schema, table, db_name))
        if rule is None:
            return False
        if orm_name != db_name:
            orm_rule = matcher.find(Subject(kind, "definition", schema, table, orm_name))
            if orm_rule is not rule:
                return False
            if by_key:
                db_key = matcher.pair_key(rule, db_name)
                if db_key is None or db_key != matcher.pair_key(rule, orm_name):
                    return False
        if record:
            name = db_name if orm_name == db_name else f"{db_name} (db) / {orm_name} (orm)"
            matcher.record(rule, Subject(kind, "definition", schema, table, name))
        suppressed.update((id(drop_op), id(create_op)))
        return True

    for by_key in (False, True):
        for drop_op in drops:
            if id(drop_op) in suppressed:
                continue
            for create_op in creates:
                if id(create_op) in suppressed:
                    continue
                if not by_key and _pair_key(drop_op) != _pair_key(create_op):
                    continue
                if try_pair(drop_op, create_op, by_key):
                    break
    return suppressed


# --- attributes: alter_column ---------------------------------------------------------------


def _alter_subjects(op: ops.AlterColumnOp, side: str) -> list[tuple[str, Subject]]:
    """``(attribute, subject)`` for each attribute the op changes."""
    found: list[tuple[str, Subject]] = []

    def add(attribute: str, new: str | None, old: str | None) -> None:
        db, orm = (old, new) if side == UPGRADE else (new, old)
        found.append(
            (
                attribute,
                Subject(
                    "column", attribute, op.schema, op.table_name, op.column_name, db=db, orm=orm
                ),
            )
        )

    if op.modify_type is not None:
        add("type", render_type(op.modify_type), render_type(op.existing_type))
    if op.modify_nullable is not None:
        add("nullable", render_nullable(op.modify_nullable), render_nullable(op.existing_nullable))
    if op.modify_server_default is not False:
        add(
            "server_default",
            render_default(op.modify_server_default),
            render_default(op.existing_server_default),
        )
    return found


def _trim_alter_column(op: ops.AlterColumnOp, matcher: Matcher, side: str, record: bool) -> None:
    for attribute, subject in _alter_subjects(op, side):
        if not matcher.suppress(subject, record=record):
            continue
        if attribute == "type":
            op.modify_type = None
        elif attribute == "nullable":
            op.modify_nullable = None
        else:
            op.modify_server_default = False
