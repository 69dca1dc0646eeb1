"""Acknowledged hazards: "this draft may risk X here, and that is accepted, because ...".

An acknowledgement never hides a hazard: the draft still lists it, marked acknowledged with
its reason, and ``-x hazards=error`` no longer fails on it. Two places can acknowledge:

* the registry file, next to the divergence rules::

      [[acknowledge]]
      hazard = "column-type-change"   # a hazard id (autogen_filters.hazard_rules)
      table = "obs_raw"               # anchored regex, optional (default: any table)
      name = "datum"                  # anchored regex, optional: column, index, constraint
                                      # or entity name (default: any)
      schema = "{schema}"             # optional, default the managed schema
      reason = "Planned downtime on 2027-01-10; obs_raw is rewritten offline."

* the ORM, where the object is declared: ``info={"acknowledge_hazards": {hazard_id:
  reason}}`` on a ``Column`` (hazards of that column), an ``Index`` or a constraint (of that
  object), or a ``Table`` (every hazard on that table, e.g. a dropped column).

Reasons are mandatory, as for divergence rules; placeholders (``TODO ...``) are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alembic.util import CommandError

from .hazard_rules import HAZARD_RULES
from .patterns import COMPILE_ERRORS, MATCH_TIMEOUT, SCHEMA_PLACEHOLDER, compile_pattern

__all__ = [
    "INFO_KEY",
    "Acknowledgement",
    "AcknowledgementError",
    "orm_acknowledgement",
    "parse_acknowledgements",
]

#: Key of ``Column.info`` / ``Table.info`` / ``Index.info`` holding ``{hazard_id: reason}``.
INFO_KEY = "acknowledge_hazards"

_SCHEMA_PLACEHOLDER = SCHEMA_PLACEHOLDER
_ALLOWED_KEYS = frozenset({"hazard", "schema", "table", "name", "reason"})
_KNOWN = frozenset(rule.id for rule in HAZARD_RULES)


class AcknowledgementMatchError(CommandError):
    """An acknowledgement's pattern could not be matched in time (one ``FAILED:`` line)."""


class AcknowledgementError(ValueError):
    """An invalid ``[[acknowledge]]`` entry; ``label`` names it (hazard id or position)."""

    def __init__(self, label: str, message: str):
        self.label = label
        super().__init__(message)


@dataclass(frozen=True)
class Acknowledgement:
    hazard: str
    reason: str
    schema: str = _SCHEMA_PLACEHOLDER
    table: str | None = None
    name: str | None = None
    source: str = "<memory>"

    def covers(
        self, hazard: str, schema: str | None, table: str | None, name: str | None, managed: str
    ) -> bool:
        """True when this entry acknowledges ``hazard`` on that object."""
        if hazard != self.hazard:
            return False
        patterns = ((self.schema, schema), (self.table, table), (self.name, name))
        for pattern, value in patterns:
            if pattern is None:
                continue
            if value is None:
                return False
            try:
                if not compile_pattern(pattern, managed).fullmatch(value, timeout=MATCH_TIMEOUT):
                    return False
            except TimeoutError:
                raise AcknowledgementMatchError(
                    f"{self.source}: acknowledge ({self.hazard}): pattern {pattern!r} took over "
                    f"{MATCH_TIMEOUT:g} s on {value[:80]!r} (catastrophic backtracking?); "
                    "simplify the pattern"
                ) from None
        return True


def parse_acknowledgements(raw: object, source: str) -> tuple[Acknowledgement, ...]:
    """Validate the ``acknowledge`` array of a registry file.

    Raises :class:`AcknowledgementError` (the registry loader turns it into its one-line
    ``RegistryError``).
    """
    if not isinstance(raw, list):
        raise AcknowledgementError("acknowledge", "must be an array of tables ([[acknowledge]])")
    found = []
    for index, entry in enumerate(raw, start=1):
        label = f"acknowledge #{index}"
        if not isinstance(entry, dict):
            raise AcknowledgementError(label, "must be a table")
        if isinstance(entry.get("hazard"), str):
            label = f"acknowledge #{index} ({entry['hazard']})"
        unknown = sorted(set(entry) - _ALLOWED_KEYS)
        if unknown:
            allowed = ", ".join(sorted(_ALLOWED_KEYS))
            raise AcknowledgementError(
                label, f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}"
            )
        for key, value in entry.items():
            if not isinstance(value, str) or not value.strip():
                raise AcknowledgementError(label, f"'{key}' must be a non-empty string")
        hazard = entry.get("hazard")
        if hazard not in _KNOWN:
            raise AcknowledgementError(
                label, f"unknown hazard {hazard!r}; expected one of {', '.join(sorted(_KNOWN))}"
            )
        reason = entry.get("reason", "").strip()
        if not reason:
            raise AcknowledgementError(label, "missing 'reason': an acknowledged hazard says why")
        if reason.upper().startswith("TODO"):
            raise AcknowledgementError(label, "'reason' is still a placeholder")
        for key in ("schema", "table", "name"):
            if key in entry:
                try:
                    compile_pattern(entry[key], "schema")
                except COMPILE_ERRORS as exc:
                    raise AcknowledgementError(label, f"bad '{key}' pattern: {exc}") from None
        found.append(
            Acknowledgement(
                hazard=hazard,
                reason=reason,
                schema=entry.get("schema", _SCHEMA_PLACEHOLDER),
                table=entry.get("table"),
                name=entry.get("name"),
                source=source,
            )
        )
    return tuple(found)


def orm_acknowledgement(hazard: str, *objects: Any) -> str | None:
    """The reason given in ``info[INFO_KEY][hazard]`` of the first object that has one."""
    for obj in objects:
        info = getattr(obj, "info", None)
        if not isinstance(info, Mapping):
            continue
        acknowledged = info.get(INFO_KEY)
        if isinstance(acknowledged, Mapping):
            reason = acknowledged.get(hazard)
            if isinstance(reason, str) and reason.strip():
                return reason.strip()
    return None
