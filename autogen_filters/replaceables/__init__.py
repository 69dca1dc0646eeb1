"""A fast, dependency-aware autogenerate comparator for every alembic-utils entity kind
(extensions, functions, views, materialized views, triggers, policies, table and column
grants: one module each in ``kinds/``), replacing alembic-utils' comparator while keeping its
entity classes and ops.

Enable it from env.py, inside ``run_migrations_online`` (before ``context.run_migrations()``)::

    from autogen_filters.replaceables import register_replaceables
    register_replaceables(entities, schema="crmp", extra_sql=my_extra_sql)

Do *not* also call ``alembic_utils.replaceable_entity.register_entities``: alembic-utils'
own comparator (always hooked) stays idle as long as its registry is empty.

See ``docs/replaceables.md``.
"""

from __future__ import annotations

from .catalog import MANAGED_KINDS, LiveEntity, read_live
from .comparator import (
    Registration,
    active_registration,
    clear_replaceables,
    compare_replaceables,
    register_replaceables,
)
from .compare import Decision, decide, include_entity
from .kinds import KINDS, Kind, kind_of
from .ops import CreateEntityOp, DropEntityOp, ReplaceEntityOp, RevertEntityOp
from .simulate import SimulationError, simulate

__all__ = [
    "KINDS",
    "MANAGED_KINDS",
    "CreateEntityOp",
    "Decision",
    "DropEntityOp",
    "Kind",
    "LiveEntity",
    "Registration",
    "ReplaceEntityOp",
    "RevertEntityOp",
    "SimulationError",
    "active_registration",
    "clear_replaceables",
    "compare_replaceables",
    "decide",
    "include_entity",
    "kind_of",
    "read_live",
    "register_replaceables",
    "simulate",
]
