"""What a written draft claims to do, read from its source (after the post-write hooks).

The verifier needs it in the file's own terms, because hooks such as ``alembic-rewrite`` change
the draft after autogenerate (a drop + add becomes a rename): which tables ``upgrade()``
touches, which columns and tables it renames, and which functions it creates or replaces (their
triggers' tables are written through them). Only literal names are read: ``'meta_network'``,
or the literal tail of an f-string such as ``f"{schema_name}.meta_network"``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DraftChanges", "read_draft_changes"]

# op.<name>: position and keyword of its table argument.
_TABLE_ARGUMENT = {
    "add_column": (0, "table_name"),
    "drop_column": (0, "table_name"),
    "alter_column": (0, "table_name"),
    "create_table": (0, "table_name"),
    "create_index": (1, "table_name"),
    "drop_index": (1, "table_name"),
    "create_unique_constraint": (1, "table_name"),
    "create_check_constraint": (1, "table_name"),
    "create_primary_key": (1, "table_name"),
    "create_foreign_key": (1, "source_table"),
    "drop_constraint": (1, "table_name"),
}


@dataclass
class DraftChanges:
    #: Tables the upgrade writes to or alters, by their names after the upgrade.
    tables: set[str] = field(default_factory=set)
    #: ``(table before the upgrade, old column, table after the upgrade, new column)``.
    column_renames: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: ``(old table, new table)``.
    table_renames: list[tuple[str, str]] = field(default_factory=list)
    #: Names of the functions the upgrade creates or replaces.
    functions: set[str] = field(default_factory=set)
    #: Tables the upgrade drops.
    dropped_tables: set[str] = field(default_factory=set)


def _literal(node: ast.AST | None) -> str | None:
    """A string constant, or the literal text of an f-string (placeholders removed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> str | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return _literal(kw.value)
    if len(call.args) > position:
        return _literal(call.args[position])
    return None


def _op_name(call: ast.Call) -> str | None:
    func = call.func
    is_op = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
    return func.attr if is_op and func.value.id == "op" else None


def read_draft_changes(path: str | Path) -> DraftChanges:
    """The changes of ``upgrade()`` in the migration file at ``path``."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    changes = DraftChanges()
    if upgrade is None:
        return changes
    renamed: dict[str, str] = {}  # new table -> old table, for renames earlier in upgrade()
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call):
            continue
        name = _op_name(node)
        callee = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "rename_table":
            old = _argument(node, 0, "old_table_name")
            new = _argument(node, 1, "new_table_name")
            if old and new:
                changes.table_renames.append((old, new))
                renamed[new] = old
                changes.tables.add(new)
        elif name == "drop_table":
            table = _argument(node, 0, "table_name")
            if table:
                changes.dropped_tables.add(table)
        elif name in _TABLE_ARGUMENT:
            table = _argument(node, *_TABLE_ARGUMENT[name])
            if table:
                changes.tables.add(table)
            new_column = next(
                (_literal(kw.value) for kw in node.keywords if kw.arg == "new_column_name"), None
            )
            column = _argument(node, 1, "column_name")
            if name == "alter_column" and table and column and new_column:
                before = renamed.get(table, table)
                changes.column_renames.append((before, column, table, new_column))
        elif callee == "PGTrigger":
            on_entity = next(
                (_literal(k.value) for k in node.keywords if k.arg == "on_entity"), None
            )
            if on_entity:
                changes.tables.add(on_entity.rpartition(".")[2])
        elif callee == "PGFunction":
            signature = next(
                (_literal(k.value) for k in node.keywords if k.arg == "signature"), None
            )
            if signature is None and len(node.args) > 1:
                signature = _literal(node.args[1])
            if signature:
                changes.functions.add(signature.split("(", 1)[0].strip())
    changes.tables -= changes.dropped_tables
    return changes
