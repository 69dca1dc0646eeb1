"""Match one observed difference (a :class:`Subject`) against the rules of a registry.

The hooks in :mod:`autogen_filters.include` and :mod:`autogen_filters.directives` translate what
Alembic gives them (a reflected object, an op) into a ``Subject``; this module decides which rule,
if any, covers it, and remembers every suppression so that the report can list them and name the
rules that matched nothing (stale rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import CompiledRule, Registry, Rule

__all__ = ["Matcher", "Subject", "Suppression"]


@dataclass(frozen=True)
class Subject:
    """One difference between database and ORM, described independently of Alembic's classes.

    ``db`` and ``orm`` are textual renderings of the attribute on each side (for ``type``,
    ``nullable`` and ``server_default`` differences); ``None`` means "not applicable".
    """

    kind: str
    difference: str
    schema: str | None
    table: str | None
    name: str | None
    db: str | None = None
    orm: str | None = None

    def describe(self) -> str:
        """A short human description, used in reports and error messages."""
        where = ".".join(part for part in (self.schema, self.table, self.name) if part)
        kind = self.kind.replace("_", " ")
        if self.difference == "db_only":
            what = "exists only in the database"
        elif self.difference == "orm_only":
            what = "exists only in the ORM"
        elif self.difference == "definition":
            what = "definition differs"
        else:
            what = f"{self.difference} differs (db: {self.db}, orm: {self.orm})"
        return f"{kind} {where}: {what}"


@dataclass(frozen=True)
class Suppression:
    """A difference hidden by a rule."""

    rule: Rule
    subject: Subject


class Matcher:
    """Rules compiled for one managed schema, plus the record of what they suppressed."""

    def __init__(self, registry: Registry, schema: str):
        self.registry = registry
        self.schema = schema
        self._compiled: tuple[CompiledRule, ...] = tuple(rule.compile(schema) for rule in registry)
        self._suppressions: dict[tuple[str, Subject], Suppression] = {}

    def find(self, subject: Subject) -> Rule | None:
        """The first rule covering ``subject``, or ``None``. Does not record anything."""
        for compiled in self._compiled:
            if _matches(compiled, subject):
                return compiled.rule
        return None

    def suppress(self, subject: Subject, *, record: bool = True) -> Rule | None:
        """Like :meth:`find`, and remember the suppression when ``record`` is true."""
        rule = self.find(subject)
        if rule is not None and record:
            self.record(rule, subject)
        return rule

    def record(self, rule: Rule, subject: Subject) -> None:
        """Remember that ``rule`` suppressed ``subject`` (idempotent)."""
        self._suppressions.setdefault((rule.id, subject), Suppression(rule, subject))

    def pair_key(self, rule: Rule, name: str | None) -> str | None:
        """The ``key`` group of ``rule``'s name pattern matched against ``name``, if any."""
        for compiled in self._compiled:
            if compiled.rule is rule:
                match = compiled.fullmatch("name", name or "")
                return match.groupdict().get("key") if match else None
        return None

    @property
    def suppressions(self) -> list[Suppression]:
        return list(self._suppressions.values())

    def stale_rules(self) -> list[Rule]:
        """Rules that suppressed nothing since the last :meth:`reset`, in file order."""
        used = {rule_id for rule_id, _ in self._suppressions}
        return [rule for rule in self.registry if rule.id not in used]

    def reset(self) -> None:
        self._suppressions.clear()


def _matches(compiled: CompiledRule, subject: Subject) -> bool:
    """Whether ``compiled`` covers ``subject``; every pattern match is bounded in time
    (:meth:`CompiledRule.fullmatch` raises RegistryMatchError naming the rule)."""
    rule = compiled.rule
    if rule.kind != subject.kind or rule.difference != subject.difference:
        return False
    if subject.schema is not None and not compiled.fullmatch("schema", subject.schema):
        return False
    if compiled.table is not None and not compiled.fullmatch("table", subject.table or ""):
        return False
    if not compiled.fullmatch("name", subject.name or ""):
        return False
    # Value patterns narrow an attribute rule: "elev is numeric in the DB and double in the ORM"
    # must not hide a later change of the ORM type to, say, integer.
    if compiled.db is not None and not compiled.fullmatch("db", subject.db or ""):
        return False
    return compiled.orm is None or bool(compiled.fullmatch("orm", subject.orm or ""))
