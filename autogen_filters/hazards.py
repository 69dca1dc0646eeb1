"""Find the hazards of a draft: what its upgrade risks for data and availability.

Runs on the final upgrade op tree (after the divergence filters, the renames and the
replaceables comparator), so it judges exactly what the draft will do. Each op is matched
against :data:`autogen_filters.hazard_rules.HAZARD_RULES`; table sizes and dependencies come
from the reference database (:class:`autogen_filters.catalog_facts.CatalogFacts`), so a lock
on a table of 10^9 rows reads differently from one on an empty table, and an index build is
only flagged on a large table.

A hazard can be acknowledged (:mod:`autogen_filters.acknowledgements`): it stays in the report,
with its reason, and ``mode="error"`` no longer fails on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from alembic.operations import ops
from alembic.util import CommandError

from .acknowledgements import Acknowledgement, orm_acknowledgement
from .catalog_facts import CatalogFacts
from .directives import _direction
from .hazard_rules import CATEGORIES, HazardRule, hazard_rule
from .report import wrap_comment
from .subjects import entity_subject, is_entity, op_kind_and_identity, render_type

__all__ = [
    "HAZARDS_TEMPLATE_ARG",
    "MODES",
    "Hazard",
    "HazardChecker",
    "HazardReport",
    "HazardsError",
    "find_hazards",
]

#: Template variable holding the hazard report comment block.
HAZARDS_TEMPLATE_ARG = "autogen_filters_hazards"
#: ``warn``: report only; ``error``: an unacknowledged hazard fails the run; ``off``: skip.
MODES = ("warn", "error", "off")
#: Default size from which a non-concurrent index build is flagged.
LARGE_TABLE_ROWS = 100_000


class HazardsError(CommandError):
    """``hazards=error`` and some hazards are not acknowledged."""


@dataclass(frozen=True)
class Hazard:
    """One hazard of one object. ``acknowledged`` holds the reason, and ``by`` where it was
    given (``ORM`` or the registry file)."""

    rule: HazardRule
    schema: str | None
    table: str | None
    name: str | None
    detail: str
    acknowledged: str | None = None
    by: str | None = None

    @property
    def where(self) -> str:
        return ".".join(part for part in (self.schema, self.table, self.name) if part)

    def line(self) -> str:
        return f"[{self.rule.id}] {self.where}: {self.detail}"


# --- detection ----------------------------------------------------------------------------------


@dataclass
class _Draft:
    """What the whole upgrade does, needed to judge single ops."""

    schema: str
    created_tables: set[str]
    dropped_tables: set[str]
    backfilled_tables: set[str]
    created_entities: set[tuple[str, str]]
    replaced_functions: set[tuple[str, str]]


def _walk(upgrade_ops: Iterable[Any]) -> Iterator[tuple[str | None, Any]]:
    """``(table of the enclosing ModifyTableOps or None, op)`` for every op, in order."""
    for op in upgrade_ops:
        if isinstance(op, ops.ModifyTableOps):
            yield op.table_name, op
            for child in op.ops:
                yield op.table_name, child
        else:
            yield None, op


def _survey(upgrade_ops: list[Any], schema: str) -> _Draft:
    draft = _Draft(schema, set(), set(), set(), set(), set())
    for _, op in _walk(upgrade_ops):
        if isinstance(op, ops.CreateTableOp):
            draft.created_tables.add(op.table_name)
        elif isinstance(op, ops.DropTableOp):
            draft.dropped_tables.add(op.table_name)
        elif isinstance(op, ops.ExecuteSQLOp) and isinstance(op.sqltext, str):
            if re.search(r"\bUPDATE\b", op.sqltext, re.IGNORECASE):
                for table in re.findall(r"\bUPDATE\s+(?:ONLY\s+)?([\w.\"]+)", op.sqltext, re.I):
                    draft.backfilled_tables.add(table.replace('"', "").rpartition(".")[2])
        elif is_entity(getattr(op, "target", None)):
            entity = op.target
            name = entity_subject(entity, "definition").name or ""
            direction = _direction(op)
            if direction in ("create", "replace"):
                draft.created_entities.add((entity.type_, name))
                if entity.type_ == "function":
                    draft.replaced_functions.add((entity.schema, name))
    return draft


def _rows_text(rows: float | None) -> str:
    if rows is None:
        return "rows unknown: never analysed"
    return f"~{rows:,.0f} rows"


_INT_RANK = {"SMALLINT": 1, "INTEGER": 2, "BIGINT": 3}
_TYPE_RE = re.compile(r"^(?P<base>[A-Z ]+?)\s*(?:\((?P<args>[^)]*)\))?$")


def _parse_type(rendered: str | None) -> tuple[str, int | None, tuple[int, ...]]:
    """``(family, rank, arguments)`` of a PostgreSQL type spelling."""
    text = (rendered or "").upper().strip()
    match = _TYPE_RE.match(text)
    base = match.group("base").strip() if match else text
    # (Unmatched spellings, e.g. arrays, have no arguments; this used to raise AttributeError.)
    args_text = (match.group("args") or "") if match else ""
    args = tuple(int(a) for a in args_text.split(",") if a.strip().isdigit())
    if base in _INT_RANK:
        return "int", _INT_RANK[base], args
    if base == "REAL" or (base == "FLOAT" and args and args[0] <= 24):
        return "float", 1, args
    if base in ("FLOAT", "DOUBLE PRECISION"):
        return "float", 2, ()
    if base in ("NUMERIC", "DECIMAL"):
        return "numeric", None, args
    if base in ("VARCHAR", "CHARACTER VARYING", "TEXT", "CHAR", "CHARACTER"):
        return "string", None, args
    return base.lower(), None, args


def classify_type_change(old: str | None, new: str | None) -> tuple[bool, bool]:
    """``(rewrites_table, narrows)`` for an ``ALTER COLUMN TYPE`` from ``old`` to ``new``."""
    o_family, o_rank, o_args = _parse_type(old)
    n_family, n_rank, n_args = _parse_type(new)
    if (old or "").upper() == (new or "").upper():
        return False, False
    if o_family == n_family and o_family in ("int", "float"):
        return o_rank != n_rank, (n_rank or 0) < (o_rank or 0)
    if o_family == n_family == "string":
        narrows = bool(n_args) and (not o_args or n_args[0] < o_args[0])
        return narrows, narrows  # widening varchar/text is binary coercible: no rewrite
    if o_family == n_family == "numeric":
        narrows = bool(n_args) and (not o_args or n_args < o_args)
        return bool(n_args), narrows
    if n_family == "string" and not n_args:
        return True, False  # anything fits in unbounded text
    if o_family == "int" and n_family == "numeric":
        return True, False
    if o_family == "int" and n_family == "float":
        return True, (o_rank or 0) >= 3  # bigint -> double loses precision beyond 2^53
    if o_family == "float" and n_family == "numeric":
        return True, False
    return True, True  # other conversions: some values may not convert


class _Finder:
    def __init__(self, draft: _Draft, facts: CatalogFacts, large_table_rows: float):
        self.draft = draft
        self.facts = facts
        self.large = large_table_rows
        self.found: list[Hazard] = []

    def add(
        self, hazard_id: str, schema: str | None, table: str | None, name: str | None, detail: str
    ) -> None:
        self.found.append(
            Hazard(hazard_rule(hazard_id), schema or self.draft.schema, table, name, detail)
        )

    def rows(self, schema: str | None, table: str) -> float | None:
        return self.facts.row_estimate(schema or self.draft.schema, table)

    def existing(self, table: str | None) -> bool:
        return table is not None and table not in self.draft.created_tables

    # one method per op shape

    def table_level(self, upgrade_ops: list[Any]) -> None:
        drops = [op for op in upgrade_ops if isinstance(op, ops.DropTableOp)]
        creates = [op.table_name for op in upgrade_ops if isinstance(op, ops.CreateTableOp)]
        for op in drops:
            rows = _rows_text(self.rows(op.schema, op.table_name))
            self.add("drop-table", op.schema, op.table_name, None, f"drops the table ({rows})")
            if creates:
                self.add(
                    "ambiguous-rename", op.schema, op.table_name, None,
                    f"dropped while {', '.join(creates)} is created",
                )  # fmt: skip

    def modify_table(self, op: ops.ModifyTableOps) -> None:
        """A drop and an add in the same table: maybe a rename left as drop + add."""
        dropped = [c for c in op.ops if isinstance(c, ops.DropColumnOp)]
        added = [c.column.name for c in op.ops if isinstance(c, ops.AddColumnOp)]
        if not added:
            return
        for drop in dropped:
            self.add(
                "ambiguous-rename", op.schema, op.table_name, drop.column_name,
                f"dropped while {', '.join(added)} is added: a rename left as drop + add "
                "loses the values",
            )  # fmt: skip

    def drop_column(self, table: str, op: ops.DropColumnOp) -> None:
        if table in self.draft.dropped_tables:
            return
        rows = _rows_text(self.rows(op.schema, table))
        self.add("drop-column", op.schema, table, op.column_name, f"drops the column ({rows})")

    def add_column(self, table: str, op: ops.AddColumnOp) -> None:
        if not self.existing(table):
            return
        column = op.column
        default = column.server_default
        rows = _rows_text(self.rows(op.schema, table))
        if not column.nullable and default is None:
            self.add(
                "required-column-without-default", op.schema, table, column.name,
                f"NOT NULL without a default ({rows})",
            )  # fmt: skip
        if default is not None:
            text = str(getattr(default, "arg", default))
            text = getattr(getattr(default, "arg", None), "text", text)
            if self.facts.is_volatile(text):
                self.add(
                    "volatile-default", op.schema, table, column.name,
                    f"DEFAULT {text} is volatile: the table is rewritten ({rows})",
                )  # fmt: skip

    def alter_column(self, table: str, op: ops.AlterColumnOp) -> None:
        schema = op.schema
        rows = _rows_text(self.rows(schema, table))
        if op.modify_name:
            self.add(
                "rename-breaks-readers", schema, table, op.modify_name,
                f"column renamed from {op.column_name}",
            )  # fmt: skip
        column = op.modify_name or op.column_name
        if op.modify_type is not None and self.existing(table):
            old, new = render_type(op.existing_type), render_type(op.modify_type)
            rewrites, narrows = classify_type_change(old, new)
            if narrows:
                self.add("type-narrowing", schema, table, column, f"{old} -> {new} ({rows})")
            if rewrites:
                self.add(
                    "column-type-change", schema, table, column,
                    f"{old} -> {new}: rewrites the table and its indexes under an ACCESS "
                    f"EXCLUSIVE lock ({rows})",
                )  # fmt: skip
        tightened = op.modify_nullable is False and op.existing_nullable is not False
        if tightened and self.existing(table) and table not in self.draft.backfilled_tables:
            self.add(
                "not-null-without-backfill", schema, table, column,
                f"SET NOT NULL with no UPDATE of {table} in the draft ({rows})",
            )  # fmt: skip

    def create_index(self, op: ops.CreateIndexOp) -> None:
        table = op.table_name
        if not self.existing(table):
            return
        rows = self.rows(op.schema, table)
        if op.unique:
            self.add(
                "unique-on-existing-rows", op.schema, table, op.index_name,
                f"unique index on existing rows ({_rows_text(rows)})",
            )  # fmt: skip
        concurrent = bool(op.kw.get("postgresql_concurrently"))
        if not concurrent and rows is not None and rows >= self.large:
            self.add(
                "index-not-concurrent", op.schema, table, op.index_name,
                f"blocks writes for the whole build ({_rows_text(rows)})",
            )  # fmt: skip

    def add_constraint(self, op: ops.AddConstraintOp) -> None:
        identity = op_kind_and_identity(op)
        if identity is None:
            return
        kind, schema, table, name = identity
        if table is None or not self.existing(table):
            return
        rows = _rows_text(self.rows(schema, table))
        hazard = {
            "unique_constraint": "unique-on-existing-rows",
            "check_constraint": "check-on-existing-rows",
            "foreign_key_constraint": "foreign-key-on-existing-rows",
        }.get(kind)
        if hazard:
            self.add(hazard, schema, table, name, f"validated against existing rows ({rows})")

    def rename_table(self, op: ops.RenameTableOp) -> None:
        self.add(
            "rename-breaks-readers", op.schema, op.new_table_name, None,
            f"table renamed from {op.table_name}",
        )  # fmt: skip

    def entity(self, op: Any) -> None:
        entity = op.target
        kind = entity.type_
        name = entity_subject(entity, "definition").name
        direction = _direction(op)
        displaced = bool(getattr(op, "displaced", False))
        exists = self.facts.exists(entity.schema, name or "")
        label = kind.replace("_", " ")
        populated = getattr(entity, "with_data", True)
        if kind == "materialized_view" and direction in ("create", "replace") and populated:
            rows = self.facts.row_estimate(entity.schema, name or "")
            why = (
                "re-created to let another change through"
                if displaced
                else ("re-created" if exists or direction == "replace" else "created")
            )
            self.add(
                "matview-refresh", entity.schema, None, name,
                f"{why} WITH DATA: its query runs in the migration "
                f"({_rows_text(rows) if exists else 'new'})",
            )  # fmt: skip
        if kind in ("view", "materialized_view") and not displaced:
            if direction == "replace" or (direction == "create" and exists):
                self.add("view-changed", entity.schema, None, name, f"{label} definition changes")
            elif direction == "drop" and (kind, name) not in self.draft.created_entities:
                self.add("view-dropped", entity.schema, None, name, f"{label} dropped")
        if kind == "function" and direction in ("create", "replace"):
            for mschema, matview in sorted(self.facts.matviews_using(entity.schema, name or "")):
                if ("materialized_view", matview) in self.draft.created_entities:
                    continue
                self.add(
                    "stale-matview", mschema, None, matview,
                    f"uses {name}(), which this draft changes; not refreshed",
                )  # fmt: skip


def find_hazards(
    upgrade_ops: list[Any],
    facts: CatalogFacts,
    *,
    schema: str,
    large_table_rows: float = LARGE_TABLE_ROWS,
) -> list[Hazard]:
    """Every hazard of an upgrade op list (not yet acknowledged)."""
    draft = _survey(upgrade_ops, schema)
    finder = _Finder(draft, facts, large_table_rows)
    finder.table_level(upgrade_ops)
    for table, op in _walk(upgrade_ops):
        if isinstance(op, ops.ModifyTableOps):
            finder.modify_table(op)
        elif isinstance(op, ops.AddColumnOp):
            finder.add_column(table or op.table_name, op)
        elif isinstance(op, ops.DropColumnOp):
            finder.drop_column(table or op.table_name, op)
        elif isinstance(op, ops.AlterColumnOp):
            finder.alter_column(table or op.table_name, op)
        elif isinstance(op, ops.CreateIndexOp):
            finder.create_index(op)
        elif isinstance(op, ops.AddConstraintOp):
            finder.add_constraint(op)
        elif isinstance(op, ops.RenameTableOp):
            finder.rename_table(op)
        elif is_entity(getattr(op, "target", None)):
            finder.entity(op)
    seen: set[tuple[str, str]] = set()
    unique = []
    for hazard in finder.found:
        key = (hazard.rule.id, hazard.where)
        if key not in seen:
            seen.add(key)
            unique.append(hazard)
    return unique


# --- acknowledgement ----------------------------------------------------------------------------


def _orm_objects(metadata: Any, schema: str, hazard: Hazard) -> list[Any]:
    """ORM objects whose ``info`` may acknowledge ``hazard``: the named column, index or
    constraint first, then the table."""
    tables = getattr(metadata, "tables", None)
    if tables is None:
        return []
    table = tables.get(f"{schema}.{hazard.table}")
    if table is None:
        table = tables.get(hazard.table or "")
    if table is None:
        return []
    found: list[Any] = []
    if hazard.name:
        if hazard.name in table.c:
            found.append(table.c[hazard.name])
        found += [i for i in table.indexes if i.name == hazard.name]
        found += [c for c in table.constraints if c.name == hazard.name]
    return [*found, table]


def acknowledge(
    hazards: list[Hazard],
    *,
    schema: str,
    metadata: Any = None,
    acknowledgements: Iterable[Acknowledgement] = (),
) -> list[Hazard]:
    """The hazards, with the reason of the first ORM ``info`` or registry entry covering each."""
    entries = list(acknowledgements)
    result = []
    for hazard in hazards:
        reason = orm_acknowledgement(hazard.rule.id, *_orm_objects(metadata, schema, hazard))
        if reason:
            hazard = replace(hazard, acknowledged=reason, by="ORM info")
        else:
            for entry in entries:
                if entry.covers(hazard.rule.id, hazard.schema, hazard.table, hazard.name, schema):
                    hazard = replace(hazard, acknowledged=entry.reason, by=entry.source)
                    break
        result.append(hazard)
    return result


# --- report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HazardReport:
    hazards: tuple[Hazard, ...]

    @property
    def open(self) -> list[Hazard]:
        return [h for h in self.hazards if not h.acknowledged]

    def _ordered(self) -> list[Hazard]:
        order = list(CATEGORIES)
        return sorted(self.hazards, key=lambda h: order.index(h.rule.category))

    def _title(self) -> str:
        acknowledged = len(self.hazards) - len(self.open)
        return (
            f"Hazards found by autogen_filters ({len(self.hazards)}, {acknowledged} acknowledged); "
            "table sizes are pg_class.reltuples of the reference database"
        )

    def comment_block(self) -> str:
        """Python comment lines for the draft header; empty when nothing is hazardous."""
        if not self.hazards:
            return ""
        lines = [self._title()]
        for hazard in self._ordered():
            category = CATEGORIES[hazard.rule.category]
            lines += wrap_comment(hazard.line(), "  ", "      ")
            if hazard.acknowledged:
                lines += wrap_comment(
                    f"acknowledged ({hazard.by}): {hazard.acknowledged}", "      ", "        "
                )
            else:
                risk = f"risk ({category}): {hazard.rule.explanation}"
                lines += wrap_comment(risk, "      ", "        ")
                lines += wrap_comment(f"safer: {hazard.rule.alternative}", "      ", "        ")
        return "\n".join(f"# {line}".rstrip() for line in lines)

    def console_summary(self) -> str:
        if not self.hazards:
            return "autogen_filters: no hazards found"
        lines = [f"autogen_filters: {self._title()}:"]
        for hazard in self._ordered():
            mark = f" (acknowledged: {hazard.acknowledged})" if hazard.acknowledged else ""
            lines.append(f"  {hazard.line()}{mark}")
            if not hazard.acknowledged:
                lines.append(f"      safer: {hazard.rule.alternative}")
        return "\n".join(lines)


# --- the hook -----------------------------------------------------------------------------------


class HazardChecker:
    """Finds, acknowledges and reports the hazards of each autogenerate run.

    ``mode`` is one of :data:`MODES`; ``acknowledgements`` usually come from the registry
    (``Registry.acknowledgements``); ORM ``info`` is read from the run's target metadata.
    """

    def __init__(
        self,
        *,
        schema: str,
        mode: str = "warn",
        acknowledgements: Iterable[Acknowledgement] = (),
        large_table_rows: float = LARGE_TABLE_ROWS,
    ):
        if mode not in MODES:
            raise ValueError(f"hazards={mode!r}: expected one of {', '.join(MODES)}")
        self.schema = schema
        self.mode = mode
        self.acknowledgements = tuple(acknowledgements)
        self.large_table_rows = large_table_rows

    def report(self, context: Any, directives: list[Any]) -> HazardReport:
        """The hazards of every script in ``directives``, acknowledged where declared."""
        if self.mode == "off":
            return HazardReport(())
        upgrade_ops = [
            op for script in directives for container in script.upgrade_ops_list
            for op in container.ops
        ]  # fmt: skip
        if not upgrade_ops:
            return HazardReport(())
        connection = getattr(context, "connection", None)
        facts = (
            CatalogFacts.read(connection, [self.schema])
            if connection is not None
            else (CatalogFacts())
        )
        found = find_hazards(
            upgrade_ops, facts, schema=self.schema, large_table_rows=self.large_table_rows
        )
        metadata = getattr(context, "opts", {}).get("target_metadata")
        found = acknowledge(
            found, schema=self.schema, metadata=metadata, acknowledgements=self.acknowledgements
        )
        return HazardReport(tuple(found))

    def enforce(self, report: HazardReport) -> None:
        """``mode="error"``: one line naming every unacknowledged hazard."""
        if self.mode != "error" or not report.open:
            return
        names = ", ".join(f"{h.rule.id} {h.where}" for h in report.open)
        raise HazardsError(
            f"autogen_filters: hazards=error: {len(report.open)} unacknowledged hazard(s): "
            f"{names} (acknowledge each with a reason, or change the ORM)"
        )
