"""A fast, dependency-aware autogenerate comparator for functions, views, materialized views
and triggers, replacing alembic-utils' comparator while keeping its entity classes and ops.

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
from .ops import CreateEntityOp, DropEntityOp, ReplaceEntityOp, RevertEntityOp
from .simulate import SimulationError, simulate

__all__ = [
    "MANAGED_KINDS",
    "CreateEntityOp",
    "Decision",
    "DropEntityOp",
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
    "read_live",
    "register_replaceables",
    "simulate",
]
