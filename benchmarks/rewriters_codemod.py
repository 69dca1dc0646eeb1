"""The schema rewrite of :mod:`rewriters.schema_name` written as an idiomatic LibCST codemod.

Only used by ``benchmarks/rewriters.py`` as the ``python -m libcst.tool codemod`` baseline:
matcher-decorated ``VisitorBasedCodemodCommand`` plus ``add_needed_import``, the way codemods
are usually written. It reuses the SQL and f-string helpers, so both sides do the same work.

    python -m libcst.tool codemod --no-format -x benchmarks.rewriters_codemod.SchemaNameCommand DIR
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

from rewriters._cst import string_value, to_fstring
from rewriters.schema_name import ENTITY_PARAMETERS
from rewriters.sql_schema import parametrize_sql, scan_sql

SCHEMAS = ("crmp",)
VARIABLE = "schema_name"


def _sql(node: cst.BaseExpression) -> cst.BaseExpression | None:
    value = string_value(node)
    if value is None or not isinstance(node, cst.SimpleString):
        return None
    if not parametrize_sql(value, SCHEMAS, VARIABLE).changed:
        return None
    spans, _ = scan_sql(value, SCHEMAS)
    fields = ['"{schema_name}"' if value[a] == '"' else "{schema_name}" for a, _b in spans]
    return to_fstring(node, spans, fields)


def _qualified(node: cst.BaseExpression) -> cst.BaseExpression | None:
    value = string_value(node)
    if value is None or not isinstance(node, cst.SimpleString):
        return None
    schema, dot, _ = value.partition(".")
    if not dot or schema not in SCHEMAS:
        return None
    return to_fstring(node, [(0, len(schema))], ["{schema_name}"])


class SchemaNameCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Schema literals -> schema_name = get_schema_name() (benchmark baseline)."

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self.used = False

    @m.leave(m.Arg(keyword=m.Name(), value=m.SimpleString()))
    def schema_keyword(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        keyword = updated_node.keyword.value if updated_node.keyword else ""
        if (keyword == "schema" or keyword.endswith("_schema")) and string_value(
            updated_node.value
        ) in SCHEMAS:
            self.used = True
            return updated_node.with_changes(value=cst.Name(VARIABLE))
        if keyword in ("definition", "on_entity"):
            new = (
                _sql(updated_node.value)
                if keyword == "definition"
                else _qualified(updated_node.value)
            )
            if new is not None:
                self.used = True
                return updated_node.with_changes(value=new)
        return updated_node

    @m.leave(
        m.Call(func=m.Name("ForeignKey") | m.Attribute(attr=m.Name("ForeignKey")))
        | m.Call(func=m.Attribute(attr=m.Name("execute")))
        | m.Call(func=m.Name("text") | m.Attribute(attr=m.Name("text")))
    )
    def first_argument(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not updated_node.args or updated_node.args[0].keyword is not None:
            return updated_node
        first = updated_node.args[0]
        is_fk = m.matches(
            updated_node.func, m.Name("ForeignKey") | m.Attribute(attr=m.Name("ForeignKey"))
        )
        new = _qualified(first.value) if is_fk else _sql(first.value)
        if new is None:
            return updated_node
        self.used = True
        return updated_node.with_changes(
            args=[first.with_changes(value=new), *updated_node.args[1:]]
        )

    @m.leave(
        m.Call(
            func=m.Name("ForeignKeyConstraint") | m.Attribute(attr=m.Name("ForeignKeyConstraint"))
        )
    )
    def fk_constraint(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if len(updated_node.args) < 2 or not isinstance(updated_node.args[1].value, cst.List):
            return updated_node
        target = updated_node.args[1].value
        elements = [
            el.with_changes(value=_qualified(el.value) or el.value) for el in target.elements
        ]
        if all(a.value is b.value for a, b in zip(elements, target.elements, strict=True)):
            return updated_node
        self.used = True
        args = list(updated_node.args)
        args[1] = args[1].with_changes(value=target.with_changes(elements=elements))
        return updated_node.with_changes(args=args)

    @m.leave(m.Call(func=m.OneOf(*(m.Name(n) for n in ENTITY_PARAMETERS))))
    def entity(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        params = ENTITY_PARAMETERS[updated_node.func.value]  # type: ignore[attr-defined]
        args = list(updated_node.args)
        for index, arg in enumerate(args):
            if arg.keyword is not None or index >= len(params):
                continue
            role = params[index]
            value = arg.value
            new = None
            if role == "schema" and string_value(value) in SCHEMAS:
                new = cst.Name(VARIABLE)
            elif role == "definition":
                new = _sql(value)
            elif role == "on_entity":
                new = _qualified(value)
            if new is not None:
                self.used = True
                args[index] = arg.with_changes(value=new)
        return updated_node.with_changes(args=args)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.used:
            return updated_node
        self.add_needed_import("pycds", "get_schema_name")
        body = list(updated_node.body)
        if any(
            m.matches(
                s,
                m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name(VARIABLE))])]),
            )
            for s in body
        ):
            return updated_node
        index = 0
        for position, statement in enumerate(body):
            if m.matches(statement, m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])):
                index = position + 1
        assignment = cst.parse_statement(f"{VARIABLE} = get_schema_name()\n")
        body.insert(index, assignment.with_changes(leading_lines=[cst.EmptyLine()]))
        return updated_node.with_changes(body=body)
