"""Load a registry of known schema divergences from TOML.

A divergence rule says: "this difference between the database and the ORM is known and accepted,
for this reason". Rules are data, in the spirit of Fixit and sqlfluff: each has a stable id, a kind
of object, narrow name patterns and a mandatory reason, so that a reviewer can see *why* a
difference is hidden and a stale rule can be reported by id.

File format (see ``docs/divergences.md``)::

    [[rule]]
    id = "obs-raw-extra-index-vars-id"     # stable, unique, [a-z0-9][a-z0-9._-]*
    kind = "index"                         # see KINDS
    table = "obs_raw"                      # anchored regex (re.fullmatch)
    name = "ix_{schema}_obs_raw_vars_id"   # anchored regex; {schema} = managed schema
    difference = "db_only"                 # see DIFFERENCES
    reason = "Hand-made production index, never part of the ORM."
    examples = ["obs_raw.ix_{schema}_obs_raw_vars_id"]          # optional: must match
    counterexamples = ["obs_raw.ix_{schema}_obs_raw_history_id"]  # optional: must not

Patterns are anchored regular expressions (``re.fullmatch``): ``obs_raw`` matches exactly that
name, ``meta_(station|history)`` matches two. The literal ``{schema}`` is replaced by the
escaped name of the managed schema, because legacy index names embed it.

Patterns are compiled with the ``regex`` library, whose default syntax is that of ``re``, for
one reason: its matches take a ``timeout``. A pattern that backtracks catastrophically
(``(a|aa)+$`` against a long name) then costs at most :data:`MATCH_TIMEOUT` seconds and ends
in one line naming the rule, at load (examples) and at match time, instead of hanging every
command. (RE2 would never backtrack, but it drops look-arounds and back-references and
changes what existing rules mean; a stdlib ``re`` match cannot be interrupted.)

``examples`` and ``counterexamples`` (Fixit-style) are object names, ``name`` or ``table.name``,
that the rule's patterns must and must not match; the loader checks them, so a rule documents
and enforces its own narrowness.

The loader is strict: unknown keys, missing or placeholder reasons, duplicate ids, unknown kinds
or differences, uncompilable patterns and rules that fail their own examples raise
:class:`RegistryError`, whose ``str`` is one line naming the file and the rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
from alembic.util import CommandError

from .acknowledgements import Acknowledgement, AcknowledgementError, parse_acknowledgements
from .patterns import COMPILE_ERRORS, MATCH_TIMEOUT, SCHEMA_PLACEHOLDER, compile_pattern

__all__ = [
    "DIFFERENCES",
    "KINDS",
    "PLACEHOLDER_REASON",
    "Registry",
    "RegistryError",
    "RegistryMatchError",
    "Rule",
    "load_registry",
    "parse_registry",
]

#: The reason written by ``pycds-autogen-baseline``; the loader refuses it until a person
#: replaces it with a real explanation.
PLACEHOLDER_REASON = "TODO: explain why this divergence is accepted"

#: Object kinds, named like the ``type_`` strings Alembic and alembic-utils pass to the filters.
TABLE_SCOPED_KINDS = frozenset(
    {
        "column",
        "index",
        "unique_constraint",
        "foreign_key_constraint",
        "check_constraint",
        "primary_key",
        "trigger",
        "grant_table",
        "policy",
    }
)
ENTITY_KINDS = frozenset(
    {
        "function",
        "view",
        "materialized_view",
        "trigger",
        "grant_table",
        "policy",
        "extension",
    }
)
KINDS = frozenset({"table"}) | TABLE_SCOPED_KINDS | ENTITY_KINDS

#: Friendlier spellings accepted in files, normalised to the Alembic ``type_`` string.
KIND_ALIASES = {
    "grant": "grant_table",
    "matview": "materialized_view",
    "fk": "foreign_key_constraint",
    "foreign_key": "foreign_key_constraint",
    "unique": "unique_constraint",
    "check": "check_constraint",
}

#: Kinds Alembic never compares: a rule for them could never match, so the loader explains
#: where the divergence really shows up instead of accepting a rule that is stale forever.
UNCOMPARED_KINDS = {
    "sequence": "autogenerate does not compare sequences; a renamed sequence shows up as the "
    "server_default of its column: write a 'column' rule with difference = 'server_default'",
    "type": "autogenerate does not compare enum or composite types on their own; an enum column "
    "shows up as a 'type' difference of its column",
}

#: Which side(s) the difference is on.
DIFFERENCES = frozenset({"db_only", "orm_only", "type", "nullable", "server_default", "definition"})
ATTRIBUTE_DIFFERENCES = frozenset({"type", "nullable", "server_default"})
DEFINITION_KINDS = frozenset(
    {
        "index",
        "unique_constraint",
        "foreign_key_constraint",
        "check_constraint",
        "primary_key",
        "function",
        "view",
        "materialized_view",
        "trigger",
        "policy",
        "grant_table",
    }
)

_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_EXAMPLE_KEYS = ("examples", "counterexamples")
_ALLOWED_KEYS = frozenset(
    {"id", "kind", "difference", "schema", "table", "name", "db", "orm", "reason", *_EXAMPLE_KEYS}
)
# Examples are checked against the patterns with this stand-in for the managed schema.
_EXAMPLE_SCHEMA = "example_schema"
_TOP_LEVEL_KEYS = frozenset({"rule", "acknowledge"})
_SCHEMA_PLACEHOLDER = SCHEMA_PLACEHOLDER
_COMPILE_ERRORS = COMPILE_ERRORS


class RegistryError(ValueError):
    """A divergence registry file is invalid. ``str()`` is one line naming file and rule."""

    def __init__(self, path: str | Path, message: str, rule_id: str | None = None):
        self.path = str(path)
        self.rule_id = rule_id
        self.message = " ".join(str(message).split())
        where = f"{self.path}: rule {rule_id}" if rule_id else self.path
        super().__init__(f"{where}: {self.message}")


class RegistryMatchError(RegistryError, CommandError):
    """A rule's pattern could not be matched in time. Alembic prints it as one FAILED line."""


@dataclass(frozen=True)
class Rule:
    """One accepted divergence. Patterns are stored as written; see :meth:`compile`."""

    id: str
    kind: str
    difference: str
    name: str
    reason: str
    schema: str = _SCHEMA_PLACEHOLDER
    table: str | None = None
    db: str | None = None
    orm: str | None = None
    source: str = "<memory>"

    def compile(self, schema: str) -> CompiledRule:
        """Bind the ``{schema}`` placeholder and compile every pattern."""
        return CompiledRule(
            rule=self,
            schema=_compile(self.schema, schema),
            table=_compile(self.table, schema) if self.table is not None else None,
            name=_compile(self.name, schema),
            db=_compile(self.db, schema, regex.IGNORECASE) if self.db is not None else None,
            orm=_compile(self.orm, schema, regex.IGNORECASE) if self.orm is not None else None,
        )


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its patterns compiled for one managed schema."""

    rule: Rule
    schema: regex.Pattern[str]
    table: regex.Pattern[str] | None
    name: regex.Pattern[str]
    db: regex.Pattern[str] | None
    orm: regex.Pattern[str] | None

    def fullmatch(self, key: str, value: str) -> regex.Match[str] | None:
        """Match the ``key`` pattern (``name``, ``table``...) against all of ``value``.

        A match that runs past :data:`MATCH_TIMEOUT` raises :class:`RegistryMatchError`.
        """
        pattern: regex.Pattern[str] = getattr(self, key)
        try:
            return pattern.fullmatch(value, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            shown = value if len(value) <= 80 else f"{value[:77]}..."
            raise RegistryMatchError(
                self.rule.source,
                f"'{key}' pattern {getattr(self.rule, key)!r} took over {MATCH_TIMEOUT:g} s "
                f"on {shown!r} (catastrophic backtracking?); simplify the pattern",
                self.rule.id,
            ) from None


@dataclass(frozen=True)
class Registry:
    """An ordered collection of rules; the first matching rule wins."""

    rules: tuple[Rule, ...] = ()
    sources: tuple[str, ...] = field(default=())
    #: ``[[acknowledge]]`` entries: accepted hazards (see :mod:`autogen_filters.acknowledgements`).
    acknowledgements: tuple[Acknowledgement, ...] = ()

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __add__(self, other: Registry) -> Registry:
        """Concatenate two registries (e.g. a project's and a site's), keeping ids unique."""
        seen = {rule.id: rule for rule in self.rules}
        for rule in other.rules:
            if rule.id in seen:
                raise RegistryError(
                    rule.source, f"duplicate id (also in {seen[rule.id].source})", rule.id
                )
        return Registry(
            self.rules + other.rules,
            self.sources + other.sources,
            self.acknowledgements + other.acknowledgements,
        )

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


_compile = compile_pattern


def load_registry(path: str | Path) -> Registry:
    """Read and validate a TOML registry file.

    Raises :class:`RegistryError` (one line, naming the file and the rule) for any problem,
    including an unreadable file and malformed TOML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(path, f"cannot read file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise RegistryError(
            path,
            f"not UTF-8 (TOML files must be): byte {exc.object[exc.start]:#04x} "
            f"at offset {exc.start}",
        ) from None
    return parse_registry(text, source=str(path))


def parse_registry(text: str, *, source: str = "<string>") -> Registry:
    """Validate registry TOML given as text; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(source, f"malformed TOML: {exc}") from None

    unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
    if unknown:
        raise RegistryError(
            source,
            f"unknown top-level key(s) {', '.join(unknown)}; expected [[rule]] or [[acknowledge]]",
        )
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RegistryError(source, "'rule' must be an array of tables ([[rule]])")

    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules, start=1):
        rule = _parse_rule(raw, index, source)
        if rule.id in seen:
            raise RegistryError(source, "duplicate id", rule.id)
        seen.add(rule.id)
        rules.append(rule)
    try:
        acknowledgements = parse_acknowledgements(data.get("acknowledge", []), source)
    except AcknowledgementError as exc:
        raise RegistryError(source, f"{exc.label}: {exc}") from None
    return Registry(tuple(rules), (source,), acknowledgements)


def _parse_rule(raw: object, index: int, source: str) -> Rule:
    label = f"#{index}"
    if not isinstance(raw, dict):
        raise RegistryError(source, "must be a table", label)
    rule_id = raw.get("id")
    if isinstance(rule_id, str) and rule_id:
        label = rule_id

    def fail(message: str) -> RegistryError:
        return RegistryError(source, message, label)

    unknown = sorted(set(raw) - _ALLOWED_KEYS)
    if unknown:
        raise fail(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_ALLOWED_KEYS))}"
        )
    for key, value in raw.items():
        if key in _EXAMPLE_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(f"'{key}' must be a list of strings")
        elif not isinstance(value, str):
            raise fail(f"'{key}' must be a string, not {type(value).__name__}")

    if not rule_id:
        raise fail("missing 'id'")
    if not _ID_RE.fullmatch(rule_id):
        raise fail("'id' must match [a-z0-9][a-z0-9._-]*")

    reason = raw.get("reason", "").strip()
    if not reason:
        raise fail("missing 'reason': every accepted divergence must say why")
    if reason.upper().startswith("TODO"):
        raise fail("'reason' is still the placeholder; explain why this divergence is accepted")

    kind = raw.get("kind")
    if not kind:
        raise fail("missing 'kind'")
    kind = KIND_ALIASES.get(kind, kind)
    if kind in UNCOMPARED_KINDS:
        raise fail(f"kind '{kind}': {UNCOMPARED_KINDS[kind]}")
    if kind not in KINDS:
        raise fail(f"unknown kind '{kind}'; expected one of {', '.join(sorted(KINDS))}")

    difference = raw.get("difference")
    if not difference:
        raise fail("missing 'difference'")
    if difference not in DIFFERENCES:
        raise fail(
            f"unknown difference '{difference}'; expected one of {', '.join(sorted(DIFFERENCES))}"
        )
    if difference in ATTRIBUTE_DIFFERENCES and kind != "column":
        raise fail(f"difference '{difference}' applies to kind 'column' only")
    if difference == "definition" and kind not in DEFINITION_KINDS:
        raise fail(f"difference 'definition' does not apply to kind '{kind}'")
    if ("db" in raw or "orm" in raw) and difference not in ATTRIBUTE_DIFFERENCES:
        raise fail("'db'/'orm' value patterns apply only to type, nullable and server_default")

    name = raw.get("name")
    if name is None:
        raise fail("missing 'name' pattern (rules are narrow by design; use '.*' deliberately)")
    table = raw.get("table")
    if kind == "table" and table is not None:
        raise fail("kind 'table' takes the table name in 'name', not 'table'")
    if kind in TABLE_SCOPED_KINDS - ENTITY_KINDS and table is None:
        raise fail(f"kind '{kind}' needs a 'table' pattern")

    for key in ("schema", "table", "name", "db", "orm"):
        pattern = raw.get(key)
        if pattern is None:
            continue
        if not pattern.strip():
            raise fail(f"empty '{key}' pattern")
        try:
            _compile(pattern, "schema")
        except _COMPILE_ERRORS as exc:
            shown = pattern if len(pattern) <= 80 else f"{pattern[:77]}..."
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise fail(f"bad '{key}' pattern {shown!r}: {why or type(exc).__name__}") from None

    rule = Rule(
        id=rule_id,
        kind=kind,
        difference=difference,
        name=name,
        reason=reason,
        schema=raw.get("schema", _SCHEMA_PLACEHOLDER),
        table=table,
        db=raw.get("db"),
        orm=raw.get("orm"),
        source=source,
    )
    _check_examples(rule, raw, fail)
    return rule


def _check_examples(rule: Rule, raw: dict[str, Any], fail: Callable[[str], RegistryError]) -> None:
    """The rule must cover each of its examples and none of its counterexamples."""
    compiled = rule.compile(_EXAMPLE_SCHEMA)
    try:
        _check_compiled_examples(compiled, raw, fail)
    except RegistryMatchError as exc:
        raise fail(f"on its examples: {exc.message}") from None


def _check_compiled_examples(
    compiled: CompiledRule, raw: dict[str, Any], fail: Callable[[str], RegistryError]
) -> None:
    for key, wanted in (("examples", True), ("counterexamples", False)):
        for example in raw.get(key, ()):
            written = example.replace(_SCHEMA_PLACEHOLDER, _EXAMPLE_SCHEMA)
            if compiled.table is not None:
                table, dot, name = written.rpartition(".")
                if not dot:
                    raise fail(f"{key[:-1]} {example!r} must be written 'table.name'")
                covered = bool(
                    compiled.fullmatch("table", table) and compiled.fullmatch("name", name)
                )
            else:
                covered = bool(compiled.fullmatch("name", written))
            if covered != wanted:
                verb = "does not match its example" if wanted else "matches its counterexample"
                raise fail(f"{verb} {example!r}")
