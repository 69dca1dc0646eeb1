"""Whether a changed function can be replaced in place (``CREATE OR REPLACE FUNCTION``).

PostgreSQL refuses ``CREATE OR REPLACE FUNCTION`` when the new definition changes the return
type (``SETOF`` and the columns of ``TABLE(...)``/OUT parameters included), the name of an
input parameter that had one, or the parameter modes, or removes parameter defaults.  Such a
function has to be dropped and created again (``plan.py``), with whatever stands on it.

The decision compares the ``FunctionShape`` of the live function with that of its simulated
replacement (both read from ``pg_proc`` by ``catalog.py``), mirroring the checks of
PostgreSQL's ``ProcedureCreate``.  A changed *type* of an existing default is not detected.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction

from .catalog import FunctionShape
from .compare import Decision

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


def must_rebuild(decision: Decision) -> bool:
    """A replace of a function that PostgreSQL would refuse to do in place."""
    if decision.action != "replace" or not isinstance(decision.entity, PGFunction):
        return False
    live = decision.live.shape if decision.live is not None else None
    new = decision.simulated.shape if decision.simulated is not None else None
    if live is None or new is None:
        return False  # shape unknown: keep alembic-utils' replace
    return not replaceable_in_place(live, new)
