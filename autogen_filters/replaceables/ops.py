"""The ops this comparator emits: alembic-utils' ops, plus SQL to run after a (re)creation.

Each op subclasses alembic-utils' ``CreateOp``/``DropOp``/``ReplaceOp``/``RevertOp``, so it
keeps their ``to_diff_tuple()`` (``alembic check``) and renders as the familiar
``op.create_entity(...)`` / ``op.drop_entity(...)`` / ``op.replace_entity(...)``.  What is
added:

* ``extra_sql``: statements rendered as ``op.execute(...)`` right after the entity is
  (re)created, e.g. a materialized view's indexes and the standard ``GRANT``s, which a DROP +
  CREATE would otherwise lose.  Reversal carries them along: the downgrade of a drop re-creates
  the entity *and* re-runs its statements.
* a replace remembers the live definition itself (alembic-utils keeps it in a private attribute
  of the entity), so the downgrade can be rendered from the op alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic_utils.replaceable_entity import ReplaceableEntity
from alembic_utils.reversible_op import CreateOp, DropOp, ReplaceOp, RevertOp

from .kinds import kind_of


class CreateEntityOp(CreateOp):
    """``displaced``: the op only re-creates an entity that had to make way for another
    change (a rebuilt view under it, a column type change), or, reversed, drops one (also an
    undeclared entity standing on a dropped one); it is that change's consequence, not a
    difference of its own, and divergence rules never remove it."""

    def __init__(
        self, target: ReplaceableEntity, extra_sql: Sequence[str] = (), displaced: bool = False
    ):
        super().__init__(target)
        self.extra_sql = tuple(extra_sql)
        self.displaced = displaced

    def reverse(self) -> DropEntityOp:
        return DropEntityOp(
            self.target, extra_sql_on_create=self.extra_sql, displaced=self.displaced
        )


class DropEntityOp(DropOp):
    def __init__(
        self,
        target: ReplaceableEntity,
        cascade: bool = False,
        extra_sql_on_create: Sequence[str] = (),
        displaced: bool = False,
    ):
        super().__init__(target, cascade=cascade)
        self.extra_sql_on_create = tuple(extra_sql_on_create)
        self.displaced = displaced  # see CreateEntityOp

    def reverse(self) -> CreateEntityOp:
        return CreateEntityOp(
            self.target, extra_sql=self.extra_sql_on_create, displaced=self.displaced
        )


class ReplaceEntityOp(ReplaceOp):
    def __init__(
        self,
        target: ReplaceableEntity,
        live: ReplaceableEntity,
        extra_sql: Sequence[str] = (),
        live_extra_sql: Sequence[str] = (),
    ):
        super().__init__(target)
        self.live = live
        self.extra_sql = tuple(extra_sql)
        self.live_extra_sql = tuple(live_extra_sql)
        # alembic-utils' own RevertOp renderer looks here; keep it working too.
        target._version_to_replace = live  # type: ignore[assignment]  # alembic-utils types it as its unbound TypeVar

    def reverse(self) -> RevertEntityOp:
        return RevertEntityOp(self.live, self.target, self.live_extra_sql, self.extra_sql)


class RevertEntityOp(RevertOp):
    """Put the live definition back (downgrade of a replace)."""

    def __init__(
        self,
        target: ReplaceableEntity,
        replaced_by: ReplaceableEntity,
        extra_sql: Sequence[str] = (),
        replaced_by_extra_sql: Sequence[str] = (),
    ):
        super().__init__(target)
        self.replaced_by = replaced_by
        self.extra_sql = tuple(extra_sql)
        self.replaced_by_extra_sql = tuple(replaced_by_extra_sql)

    def reverse(self) -> ReplaceEntityOp:
        return ReplaceEntityOp(
            self.replaced_by, self.target, self.replaced_by_extra_sql, self.extra_sql
        )


def _render(
    autogen_context: AutogenContext,
    entity: ReplaceableEntity,
    call: str,
    extra_sql: Sequence[str] = (),
) -> str:
    autogen_context.imports.add(entity.render_import_statement())
    variable = entity.to_variable_name()
    lines = [kind_of(entity).render(entity) + f"op.{call}({variable})"]
    lines += [f"op.execute({statement!r})" for statement in extra_sql]
    return "\n".join(lines) + "\n"


@renderers.dispatch_for(CreateEntityOp)
def render_create_entity(autogen_context: AutogenContext, op: CreateEntityOp) -> str:
    return _render(autogen_context, op.target, "create_entity", op.extra_sql)


@renderers.dispatch_for(DropEntityOp)
def render_drop_entity(autogen_context: AutogenContext, op: DropEntityOp) -> str:
    return _render(autogen_context, op.target, "drop_entity")


@renderers.dispatch_for(ReplaceEntityOp)
def render_replace_entity(autogen_context: AutogenContext, op: ReplaceEntityOp) -> str:
    return _render(autogen_context, op.target, "replace_entity", op.extra_sql)


@renderers.dispatch_for(RevertEntityOp)
def render_revert_entity(autogen_context: AutogenContext, op: RevertEntityOp) -> str:
    return _render(autogen_context, op.target, "replace_entity", op.extra_sql)
