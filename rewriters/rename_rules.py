"""The one home of the rename rules, shared by the LibCST rewriter
(:mod:`rewriters.drop_add_to_rename`) and the op-tree Rewriter (:mod:`autogen_filters.renames`).

Pure functions on small dataclasses and the standard library only (no LibCST, no SQLAlchemy,
no Alembic), so that alembic-autogen-filters can import them from alembic-rewriters, which
installs with LibCST alone:

* :data:`SCHEMA_ONLY_OPS`: the Alembic operations, by ``op.*`` name, that may sit between a
  drop and an add without blocking a rename;
* :func:`parse_rename_entry`: the syntax of a declared rename;

* :func:`normalise_type` maps generic and reflected spellings of a type to one canonical
  :class:`TypeSpec` (``sa.Integer()`` = ``sa.INTEGER()``, ``sa.String(10)`` =
  ``sa.VARCHAR(length=10)``, ``sa.Float()`` = ``postgresql.DOUBLE_PRECISION(precision=53)``);
* :func:`normalise_server_default` does the same for server defaults (``'x'`` =
  ``'x'::character varying``; a serial ``nextval(...)`` counts as no default);
* :func:`pair_unique` implements the Doctrine rule (E2): a dropped/added pair is renamed only if
  each is the other's *only* equal candidate, and nothing between them touches data; everything
  else is reported as an :class:`Ambiguity` for a human.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rewriters.errors import ConfigError

#: ``op.*`` operations that change the schema only; anything else between a drop and an add
#: (data changes, ``execute``, entity ops) blocks a rename. The op-tree side maps each name to
#: its Alembic op class (autogen_filters.renames).
SCHEMA_ONLY_OPS: frozenset[str] = frozenset(
    {
        "add_column",
        "drop_column",
        "alter_column",
        "create_table",
        "drop_table",
        "rename_table",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_primary_key",
        "create_check_constraint",
        "create_exclude_constraint",
        "drop_constraint",
        "create_table_comment",
        "drop_table_comment",
    }
)

_CANONICAL_TYPES: dict[str, tuple[str, ...]] = {
    "integer": ("Integer", "INTEGER", "INT"),
    "smallint": ("SmallInteger", "SMALLINT"),
    "bigint": ("BigInteger", "BIGINT"),
    "varchar": ("String", "VARCHAR", "Unicode", "NVARCHAR"),
    "char": ("CHAR", "NCHAR"),
    "text": ("Text", "TEXT", "UnicodeText"),
    "double": ("Double", "DOUBLE", "DOUBLE_PRECISION"),
    "real": ("REAL",),
    "float": ("Float", "FLOAT"),
    "numeric": ("Numeric", "NUMERIC", "DECIMAL"),
    "boolean": ("Boolean", "BOOLEAN"),
    "timestamp": ("DateTime", "TIMESTAMP"),
    "date": ("Date", "DATE"),
    "time": ("Time", "TIME"),
    "interval": ("Interval", "INTERVAL"),
    "uuid": ("Uuid", "UUID"),
    "enum": ("Enum", "ENUM"),
    "array": ("ARRAY",),
    "bytea": ("LargeBinary", "BYTEA"),
    "jsonb": ("JSONB",),
    "json": ("JSON",),
}
_BY_SPELLING = {
    spelling: canonical for canonical, names in _CANONICAL_TYPES.items() for spelling in names
}
_POSITIONAL: dict[str, tuple[str, ...]] = {
    "varchar": ("length",),
    "char": ("length",),
    "numeric": ("precision", "scale"),
    "float": ("precision",),
    "double": ("precision",),
    "real": ("precision",),
    "timestamp": ("timezone",),
    "time": ("timezone",),
    "array": ("item_type",),
}
#: Parameter values equal to the default are dropped, so omitted and explicit defaults agree.
_DEFAULTS: dict[str, Any] = {"timezone": False, "length": None, "precision": None, "scale": None}
#: Python-side or reflection-only arguments that do not change the column in the database.
_IGNORED_PARAMS = {
    "asdecimal",
    "decimal_return_scale",
    "astext_type",
    "create_constraint",
    "none_as_null",
    "as_uuid",
    "native_uuid",
    "_create_events",
    "_expect_unicode",
    "validate_strings",
    "values_callable",
    "inherit_schema",
    "metadata",
}


@dataclass(frozen=True)
class TypeSpec:
    """A column type in canonical form: lower-case name plus sorted significant parameters."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ColumnSpec:
    """What must be equal for a dropped and an added column to be "the same column".

    ``extras`` holds normalised text of everything else that matters (comment, primary key,
    identity, computed expressions, unknown keywords); ``type`` is ``None`` when unknown, which
    never equals anything.
    """

    name: str
    type: TypeSpec | None
    nullable: bool = True
    server_default: str | None = None
    extras: tuple[tuple[str, str], ...] = ()


def normalise_type(
    name: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None
) -> TypeSpec:
    """Canonical form of a type given its class name and constructor arguments."""
    canonical = _BY_SPELLING.get(name, name.lower())
    params: dict[str, Any] = {}
    positional = _POSITIONAL.get(canonical, ())
    extra_positional: list[Any] = []
    for index, value in enumerate(args):
        if index < len(positional):
            params[positional[index]] = value
        else:
            extra_positional.append(value)
    for key, value in (kwargs or {}).items():
        params[key] = value
    for key in list(params):
        if key in _IGNORED_PARAMS or (key in _DEFAULTS and params[key] == _DEFAULTS[key]):
            del params[key]
    if canonical == "float":
        # PostgreSQL FLOAT(p): p <= 24 is REAL, anything else (or none) DOUBLE PRECISION.
        precision = params.pop("precision", None)
        canonical = "real" if precision is not None and precision <= 24 else "double"
    if canonical in ("double", "real"):
        params.pop("precision", None)
    if extra_positional:
        params["*args"] = tuple(extra_positional)
    return TypeSpec(canonical, tuple(sorted(params.items(), key=lambda item: item[0])))


_CASTS = re.compile(r"(\s*::\s*[A-Za-z_][\w ]*(\[\])?(\(\s*\d+(\s*,\s*\d+)?\s*\))?)+$")


def quote_sql_literal(value: str) -> str:
    """SQL literal for a plain-string server default (``server_default="x"``)."""
    return "'" + value.replace("'", "''") + "'"


def normalise_server_default(sql: str | None, autoincrement: bool = False) -> str | None:
    """Canonical SQL of a server default: casts and outer parentheses dropped.

    A ``nextval(...)`` default on an ``autoincrement`` column is how PostgreSQL implements
    SERIAL; the metadata side never spells it, so it normalises to ``None``.
    """
    if sql is None:
        return None
    text = sql.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    text = _CASTS.sub("", text).strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    if autoincrement and text.lower().startswith("nextval("):
        return None
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def same_definition(left: ColumnSpec, right: ColumnSpec) -> bool:
    """True if the two columns differ at most by name."""
    return (
        left.type is not None
        and left.type == right.type
        and left.nullable == right.nullable
        and left.server_default == right.server_default
        and left.extras == right.extras
    )


def describe_differences(old: ColumnSpec, new: ColumnSpec) -> list[str]:
    """Which attributes differ (for declared renames that also change the column)."""
    differences = []
    if old.type is None or old.type != new.type:
        differences.append("type")
    if old.nullable != new.nullable:
        differences.append("nullable")
    if old.server_default != new.server_default:
        differences.append("server_default")
    if old.extras != new.extras:
        differences.append("other options")
    return differences


L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)


@dataclass(frozen=True)
class Ambiguity:
    """A dropped item that may have been renamed, with why no rename was made."""

    dropped: Hashable
    candidates: tuple[Hashable, ...]
    reason: str


@dataclass
class Pairing:
    """Result of :func:`pair_unique`: accepted pairs and ambiguities to report."""

    pairs: list[tuple[Any, Any]] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)


def pair_unique(
    dropped: Sequence[L],
    added: Sequence[R],
    equal: Callable[[L, R], bool],
    blocked: Callable[[L, R], str | None] = lambda _l, _r: None,
    declared: Mapping[L, R] | None = None,
) -> Pairing:
    """Pair dropped with added items.

    Declared pairs win (unless ``blocked`` names a reason: then they are reported). The others
    are inferred: ``(d, a)`` is renamed only when ``a`` is the only item equal to ``d`` and ``d``
    the only item equal to ``a`` and ``blocked(d, a)`` is ``None``. Every dropped item with at
    least one equal candidate that was not renamed becomes an :class:`Ambiguity`.
    """
    result = Pairing()
    declared = dict(declared or {})
    taken_dropped: set[L] = set()
    taken_added: set[R] = set()
    for old, new in declared.items():
        if old not in dropped or new not in added:
            continue
        reason = blocked(old, new)
        if reason:
            result.ambiguities.append(
                Ambiguity(old, (new,), f"declared rename not applied: {reason}")
            )
        else:
            result.pairs.append((old, new))
        taken_dropped.add(old)
        taken_added.add(new)
    free_dropped = [d for d in dropped if d not in taken_dropped]
    free_added = [a for a in added if a not in taken_added]
    candidates = {d: [a for a in free_added if equal(d, a)] for d in free_dropped}
    reverse = {a: [d for d in free_dropped if equal(d, a)] for a in free_added}
    for old in free_dropped:
        options = candidates[old]
        if not options:
            continue
        if len(options) == 1 and len(reverse[options[0]]) == 1:
            reason = blocked(old, options[0])
            if reason is None:
                result.pairs.append((old, options[0]))
                continue
        else:
            reason = "more than one equal candidate"
        result.ambiguities.append(Ambiguity(old, tuple(options), reason))
    return result


def declared_renames(
    entries: Mapping[str, str], table: str | None, schemas: Sequence[str]
) -> dict[str, str]:
    """Declared renames that apply to ``table`` in one of ``schemas`` (old -> new).

    ``table=None`` asks for table renames (``"old" = "table:new"``); otherwise for column
    renames (``"table.old" = "new"``). A key may be schema-qualified (``"crmp.table.old"``),
    which restricts it to that schema; ``schemas`` are the names the table's schema may stand
    for (the literal, or every configured schema when the migration uses ``schema_name``).
    """
    prefixes = ("", *(f"{schema}." for schema in schemas))
    declared: dict[str, str] = {}
    for key, value in entries.items():
        table_key, old, new = parse_rename_entry(key, value)
        if table is None:
            if old:
                continue
            for prefix in prefixes:
                rest = table_key[len(prefix) :]
                if table_key.startswith(prefix) and rest and "." not in rest:
                    declared[rest] = new
        elif old and any(table_key == prefix + table for prefix in prefixes):
            declared[old] = new
    return declared


def parse_rename_entry(key: str, value: str, source: str = "--rename") -> tuple[str, str, str]:
    """Split a declared rename into ``(table_key, old, new)``.

    ``"meta_network.old_col" = "new_col"`` declares a column rename (table key
    ``"meta_network"``); ``"crmp.meta_network.old_col"`` restricts it to one schema (table key
    ``"crmp.meta_network"``). ``"old_table" = "table:new_table"`` declares a table rename, with
    an empty ``old`` column in the result.
    """
    if value.startswith("table:"):
        new = value.removeprefix("table:")
        if not key or not new:
            raise ConfigError(f"{source}: bad table rename {key!r} = {value!r}")
        return key, "", new
    table_key, _, old = key.rpartition(".")
    if not table_key or not old or not value:
        raise ConfigError(
            f'{source}: bad rename {key!r} = {value!r} (expected "table.old_column" = "new")'
        )
    return table_key, old, value
