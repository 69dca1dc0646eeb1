"""Functions (``PGFunction``): read from ``pg_proc``, replaced in place when PostgreSQL allows.

The live definition is ``pg_get_functiondef`` parsed by alembic-utils' own template
(precompiled: alembic-utils recompiles it for every row, its issue #173).  Extension-owned
functions are never read.  Each function comes with its :class:`FunctionShape`, read by the
same query, so that :func:`replaceable_in_place` can tell whether ``CREATE OR REPLACE
FUNCTION`` accepts a change: PostgreSQL refuses to change the return type (``SETOF`` and the
columns of ``TABLE(...)``/OUT parameters included), the name of an input parameter that had one,
the parameter modes, or to remove parameter defaults.  Such a function is dropped and created
instead (with whatever stands on it).  A changed *type* of an existing default is not detected.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import parse
from alembic_utils.pg_function import PGFunction
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .base import Kind, LiveEntity


@dataclass(frozen=True)
class FunctionShape:
    """What ``CREATE OR REPLACE FUNCTION`` may not change, as ``pg_proc`` records it."""

    result: str  # pg_get_function_result(oid): return type, incl. SETOF / TABLE(...)
    arg_names: tuple[str, ...]  # proargnames, one per argument ('' when unnamed)
    arg_modes: tuple[str, ...]  # proargmodes, one per argument (i, o, b, v, t)
    n_defaults: int  # pronargdefaults

    @classmethod
    def from_row(
        cls,
        result: str,
        n_args: int,
        names: Sequence[str] | None,
        modes: Sequence[str] | None,
        n_defaults: int,
    ) -> FunctionShape:
        """From catalog columns; NULL ``proargmodes`` means all IN, NULL names all unnamed."""
        arg_modes = tuple(modes) if modes else ("i",) * n_args
        arg_names = tuple(names) if names else ("",) * len(arg_modes)
        return cls(result, arg_names, arg_modes, int(n_defaults))


_INPUT_MODES = frozenset("ibv")


def replaceable_in_place(live: FunctionShape, new: FunctionShape) -> bool:
    """True when ``CREATE OR REPLACE FUNCTION`` turns ``live`` into ``new``."""
    if live.result != new.result or live.arg_modes != new.arg_modes:
        return False
    if new.n_defaults < live.n_defaults:
        return False  # cannot remove parameter defaults from existing function
    for mode, old_name, new_name in zip(live.arg_modes, live.arg_names, new.arg_names, strict=True):
        if mode in _INPUT_MODES:
            if old_name and old_name != new_name:
                return False  # cannot change name of input parameter
        elif old_name != new_name:
            return False  # the row type of the OUT parameters changes
    return True


_FUNCTIONS = text(
    """
    select p.oid, n.nspname, p.proname,
           case when l.lanname = 'internal' then p.prosrc else pg_get_functiondef(p.oid) end,
           pg_get_function_result(p.oid), p.pronargs, p.proargnames,
           cast(p.proargmodes as text[]), p.pronargdefaults
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    join pg_language l on l.oid = p.prolang
    where n.nspname = any(:schemas)
      and p.prokind = 'f'
      -- extension-owned functions are never ours to compare or drop
      and not exists (
          select 1 from pg_depend d
          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
      )
    order by p.oid
    """
)

_TEMPLATE = parse.compile(
    "create{}function{:s}{schema}.{signature}{:s}returns{:s}{definition}", case_sensitive=False
)


def function_from_sql(sql: str) -> PGFunction:
    """``PGFunction.from_sql`` with a precompiled template."""
    result = _TEMPLATE.parse(sql.strip())
    if result is None:
        return PGFunction.from_sql(sql)  # let alembic-utils raise its own error
    raw_signature = result["signature"]
    signature = (
        "".join(raw_signature.split('"', 2)) if raw_signature.startswith('"') else raw_signature
    )
    return PGFunction(
        schema=result["schema"], signature=signature, definition="returns " + result["definition"]
    )


class FunctionKind(Kind):
    entity_class = PGFunction
    rank = 10

    def read(self, conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
        rows = conn.execute(_FUNCTIONS, {"schemas": list(schemas)}).fetchall()
        return [
            LiveEntity(
                function_from_sql(sql),
                ("pg_proc", oid),
                nsp,
                name,
                shape=FunctionShape.from_row(*shape),
            )
            for oid, nsp, name, sql, *shape in rows
        ]

    def simulation_drop(
        self, entity: ReplaceableEntity, live: Mapping[Hashable, LiveEntity]
    ) -> str:
        # PostgreSQL matches the signature itself (DROP FUNCTION IF EXISTS resolves argument
        # types, which a text comparison of signatures cannot).
        return self.drop_sql(entity)

    def must_rebuild(self, decision: Any) -> bool:
        """A replace PostgreSQL would refuse to do in place (shapes compared)."""
        live = decision.live.shape if decision.live is not None else None
        new = decision.simulated.shape if decision.simulated is not None else None
        if live is None or new is None:
            return False  # shape unknown: keep alembic-utils' replace
        return not replaceable_in_place(live, new)


KIND = FunctionKind()
