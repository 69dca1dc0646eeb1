"""Rewriter: hard-coded schema literals become the project's schema-name call.

Convention (PyCDS, crmp-facts 8.3): the migration gets one module-level
``schema_name = get_schema_name()`` right after its imports, and every rewritten place refers
to ``schema_name``:

* ``schema="crmp"`` and any ``*_schema="crmp"`` keyword (``source_schema``,
  ``referent_schema``, ``version_table_schema``...) on any call → ``schema=schema_name``;
* ``ForeignKey("crmp.t.c")``, ``ForeignKeyConstraint(..., ["crmp.t.c"])`` and alembic-utils
  ``on_entity="crmp.t"`` → ``f"{schema_name}.t.c"``;
* alembic-utils entities (``PGView``, ``PGMaterializedView``, ``PGFunction``, ``PGTrigger``,
  ``PGPolicy``...): the schema argument and the schema-qualified names of the SQL
  ``definition``; SQL passed to ``*.execute(...)`` (directly or through ``text(...)``):
  qualified names in SQL code become ``{schema_name}.name`` in an f-string;
* a module-level ``schema_name = "crmp"`` → ``schema_name = get_schema_name()``.

F-strings count as well: ``schema=f"crmp"``, ``ForeignKey(f"crmp.t.{c}")`` and SQL such as
``op.execute(f"UPDATE crmp.t SET n = {n}")`` are rewritten the same way, the schema becoming
one more replacement field. An f-string whose schema mention is next to a replacement field
(``f"{p}crmp.t"``) or whose text holds escapes is left alone and reported.

SQL whose schema mentions are not all unambiguous (inside SQL literals, comments, non-SQL
function bodies), and any other string still naming the schema, is left alone and reported.
Docstrings and bare string statements are documentation and are never touched or reported.
"""

from __future__ import annotations

import libcst as cst

from rewriters._cst import (
    Diagnostic,
    dotted_name,
    fstring_text,
    last_name,
    lines_of,
    paths_to_strings,
    rewrite_fstring,
    string_value,
    to_fstring,
)
from rewriters.config import SCHEMA_VARIABLE, RewriteConfig
from rewriters.plugin import TransformResult
from rewriters.sql_schema import parametrize_sql, scan_sql

#: Positional parameters of alembic-utils entity constructors, by class name.
ENTITY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "PGView": ("schema", "signature", "definition"),
    "PGMaterializedView": ("schema", "signature", "definition", "with_data"),
    "PGFunction": ("schema", "signature", "definition"),
    "PGProcedure": ("schema", "signature", "definition"),
    "PGTrigger": ("schema", "signature", "on_entity", "definition", "is_constraint"),
    "PGPolicy": ("schema", "signature", "on_entity", "definition"),
    "PGExtension": ("schema", "signature"),
}
SQL_EXECUTE_METHODS = {"execute", "exec_driver_sql"}
TEXT_CALLS = {"text", "sa.text", "sqlalchemy.text"}


SchemaRewriteResult = TransformResult


def _is_call_to(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Call) and not node.args and last_name(node.func) == name


def _binds_schema_variable(function: cst.FunctionDef, call_name: str) -> str | None:
    """How a function binds ``schema_name`` locally: None, "schema-call" or "other"."""
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == SCHEMA_VARIABLE:
            return "other"
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param) and star.name.value == SCHEMA_VARIABLE:
            return "other"
    binding: str | None = None
    for statement in function.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign | cst.AnnAssign):
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                if any(isinstance(t, cst.Name) and t.value == SCHEMA_VARIABLE for t in targets):
                    value = small.value
                    binding = "schema-call" if value and _is_call_to(value, call_name) else "other"
    return binding


class SchemaNameTransformer(cst.CSTTransformer):
    """Replace schema literals by ``schema_name`` (see the module docstring for the places)."""

    def __init__(self, config: RewriteConfig, only: set[int] | None = None) -> None:
        super().__init__()
        self._only = only
        self.config = config
        self.schemas = config.schemas
        self.changed = False
        self.uses_module_variable = False
        self.module_variable_assigned = False
        self._scopes: list[str | None] = []
        self._documentation: set[int] = set()
        self._mentions: list[cst.SimpleString | cst.FormattedString] = []
        self._handled: set[int] = set()
        self.reports: list[tuple[cst.CSTNode, str]] = []

    # -- pruning: only paths to strings that mention a schema are visited -----------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._only is not None and id(node) not in self._only:
            return False
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):
        if self._only is not None and id(original_node) not in self._only:
            return updated_node
        return super().on_leave(original_node, updated_node)

    # -- scope tracking --------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(_binds_schema_variable(node, self.config.call_name))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._scopes.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        names = {p.name.value for p in node.params.params}
        self._scopes.append("other" if SCHEMA_VARIABLE in names else None)

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._scopes.pop()
        return updated_node

    def _variable_usable(self) -> bool:
        for binding in reversed(self._scopes):
            if binding is not None:
                return binding == "schema-call"
        return True

    def _schema_variable(self, original: cst.CSTNode) -> cst.Name | None:
        """``schema_name`` if it refers to the schema call here; else report and bail."""
        if not self._variable_usable():
            # A local or parameter named schema_name shadows the module variable: the
            # rewritten code would silently mean something else.
            self.reports.append(
                (original, f"'{SCHEMA_VARIABLE}' is rebound locally; schema literal not rewritten")
            )
            return None
        if not any(b == "schema-call" for b in self._scopes):
            self.uses_module_variable = True
        return cst.Name(SCHEMA_VARIABLE)

    # -- documentation strings are never touched --------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
            for child in (
                node.value,
                getattr(node.value, "left", None),
                getattr(node.value, "right", None),
            ):
                if child is not None:
                    self._documentation.add(id(child))

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        if id(original_node) in self._documentation:
            return updated_node
        value = string_value(original_node)
        if value is not None and self._mentions_schema(value):
            self._mentions.append(original_node)
        return updated_node

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.FormattedString:
        if id(original_node) in self._documentation:
            return updated_node
        text = "".join(
            part.value if isinstance(part, cst.FormattedStringText) else "{}"
            for part in original_node.parts
        )
        if self._mentions_schema(text):
            self._mentions.append(original_node)
        return updated_node

    def _mentions_schema(self, value: str) -> bool:
        lowered = value.lower()
        return any(
            value == schema or f"{schema.lower()}." in lowered or f'"{schema}".' in value
            for schema in self.schemas
        )

    # -- module-level schema_name = "crmp" ---------------------------------------------------
    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if self._scopes:
            return updated_node
        targets = [t.target for t in updated_node.targets]
        if not any(isinstance(t, cst.Name) and t.value == SCHEMA_VARIABLE for t in targets):
            return updated_node
        self.module_variable_assigned = True
        if string_value(updated_node.value) in self.schemas:
            self._handled.add(id(original_node.value))
            self.changed = True
            self.needs_import = True
            return updated_node.with_changes(value=cst.Call(func=cst.Name(self.config.call_name)))
        return updated_node

    needs_import = False

    # -- calls --------------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        callee = last_name(updated_node.func)
        if callee is None:
            return updated_node
        entity_params = ENTITY_PARAMETERS.get(callee)
        new_args = list(updated_node.args)
        for index, (original_arg, arg) in enumerate(
            zip(original_node.args, updated_node.args, strict=True)
        ):
            role = self._role(callee, entity_params, index, arg)
            if role is None:
                continue
            replacement = self._rewrite_value(role, original_arg.value, arg.value)
            if replacement is not None:
                new_args[index] = arg.with_changes(value=replacement)
        if callee in SQL_EXECUTE_METHODS and isinstance(updated_node.func, cst.Attribute):
            new_args = self._rewrite_execute(original_node, new_args)
        if new_args != list(updated_node.args):
            self.changed = True
            return updated_node.with_changes(args=new_args)
        return updated_node

    @staticmethod
    def _role(
        callee: str, entity_params: tuple[str, ...] | None, index: int, arg: cst.Arg
    ) -> str | None:
        if arg.star:
            return None
        keyword = arg.keyword.value if arg.keyword else None
        if keyword is not None and (keyword == "schema" or keyword.endswith("_schema")):
            return "schema"
        if entity_params is not None:
            name = keyword or (entity_params[index] if index < len(entity_params) else None)
            if name in ("schema", "definition", "on_entity"):
                return name
            return None
        if keyword == "server_default":
            return "sql-text"
        if callee == "ForeignKey" and (keyword == "column" or (keyword is None and index == 0)):
            return "qualified"
        if callee == "ForeignKeyConstraint" and (
            keyword == "refcolumns" or (keyword is None and index == 1)
        ):
            return "qualified-list"
        return None

    def _rewrite_value(
        self, role: str, original: cst.BaseExpression, value: cst.BaseExpression
    ) -> cst.BaseExpression | None:
        if role == "schema":
            if _literal_value(original) in self.schemas:
                self._handled.add(id(original))
                return self._schema_variable(original)
            return None
        if role in ("qualified", "on_entity"):
            return self._qualified(original)
        if role == "qualified-list" and isinstance(value, cst.List | cst.Tuple):
            elements = list(value.elements)
            for i, (orig_el, el) in enumerate(
                zip(original.elements, value.elements, strict=True)  # type: ignore[attr-defined]
            ):
                new = self._qualified(orig_el.value)
                if new is not None:
                    elements[i] = el.with_changes(value=new)
            return (
                value.with_changes(elements=elements) if elements != list(value.elements) else None
            )
        if role == "definition":
            return self._sql(original)
        if role == "sql-text":
            return self._sql_text(original, value)
        return None

    def _qualified(self, original: cst.BaseExpression) -> cst.BaseExpression | None:
        """``"crmp.table[.column]"`` → ``f"{schema_name}.table[.column]"``."""
        if isinstance(original, cst.FormattedString):
            return self._qualified_fstring(original)
        value = string_value(original)
        if value is None or not isinstance(original, cst.SimpleString):
            return None
        schema, dot, _rest = value.partition(".")
        if not dot or schema not in self.schemas:
            return None
        self._handled.add(id(original))
        if self._schema_variable(original) is None:
            return None
        return to_fstring(original, [(0, len(schema))], ["{" + SCHEMA_VARIABLE + "}"])

    def _qualified_fstring(self, original: cst.FormattedString) -> cst.BaseExpression | None:
        """``f"crmp.table.{column}"`` → ``f"{schema_name}.table.{column}"``."""
        scanned = fstring_text(original)
        if scanned is None:
            return None
        schema, dot, _rest = scanned[0].partition(".")
        if not dot or schema not in self.schemas:
            return None
        self._handled.add(id(original))
        new = rewrite_fstring(original, [(0, len(schema))], ["{" + SCHEMA_VARIABLE + "}"])
        if new is None or self._schema_variable(original) is None:
            return None
        return new

    def _sql(self, original: cst.BaseExpression) -> cst.BaseExpression | None:
        """SQL in a string literal or an f-string: the schema becomes a replacement field."""
        if isinstance(original, cst.FormattedString):
            scanned = fstring_text(original)  # None: escapes, reported as a leftover mention
            value = scanned[0] if scanned is not None else None
        elif isinstance(original, cst.SimpleString):
            value = string_value(original)
        else:
            value = None
        if value is None:
            return None
        result = parametrize_sql(value, self.schemas, SCHEMA_VARIABLE)
        if result.ambiguous:
            self._handled.add(id(original))
            self.reports.append(
                (original, f"SQL left unchanged: {'; '.join(result.ambiguous)} (rewrite by hand)")
            )
            return None
        if not result.changed:
            return None
        spans, _ = scan_sql(value, self.schemas)
        replacements = [
            '"{' + SCHEMA_VARIABLE + '}"' if value[start] == '"' else "{" + SCHEMA_VARIABLE + "}"
            for start, _end in spans
        ]
        if isinstance(original, cst.FormattedString):
            new = rewrite_fstring(original, spans, replacements)
            if new is None:
                return None  # the schema touches a replacement field: a leftover mention
        else:
            new = to_fstring(original, spans, replacements)
            if new is None:
                self.reports.append(
                    (original, "SQL left unchanged: escape sequences around the schema")
                )
        self._handled.add(id(original))
        if new is None or self._schema_variable(original) is None:
            return None
        return new

    def _sql_text(
        self, original: cst.BaseExpression, value: cst.BaseExpression
    ) -> cst.BaseExpression | None:
        """SQL inside ``text("...")`` / ``sa.text("...")``."""
        if not (
            isinstance(value, cst.Call)
            and isinstance(original, cst.Call)
            and dotted_name(value.func) in TEXT_CALLS
            and value.args
            and value.args[0].keyword is None
            and isinstance(value.args[0].value, cst.SimpleString | cst.FormattedString)
        ):
            return None
        new = self._sql(original.args[0].value)
        if new is None:
            return None
        return value.with_changes(args=[value.args[0].with_changes(value=new), *value.args[1:]])

    def _rewrite_execute(self, original_node: cst.Call, args: list[cst.Arg]) -> list[cst.Arg]:
        if not args or args[0].keyword is not None or args[0].star:
            return args
        first_original = original_node.args[0].value
        first = args[0].value
        if isinstance(first, cst.SimpleString | cst.FormattedString):
            new = self._sql(first_original)
            if new is not None:
                return [args[0].with_changes(value=new), *args[1:]]
        else:
            new = self._sql_text(first_original, first)
            if new is not None:
                return [args[0].with_changes(value=new), *args[1:]]
        return args

    # -- reporting ----------------------------------------------------------------------------
    def leftover_reports(self) -> list[tuple[cst.CSTNode, str]]:
        """Specific reports plus every other schema mention that was not rewritten."""
        reports = list(self.reports)
        reported = {id(node) for node, _ in reports}
        for node in self._mentions:
            if id(node) in self._handled or id(node) in reported:
                continue
            value = string_value(node) or ""
            if value in self.schemas:
                message = f"schema literal {value!r} not in a known place; not rewritten"
            else:
                message = "string names the schema and was not rewritten (check by hand)"
            reports.append((node, message))
        return reports


def _literal_value(node: cst.BaseExpression) -> str | None:
    """Value of a plain string literal, or of an f-string without replacement fields."""
    if isinstance(node, cst.FormattedString):
        if all(isinstance(part, cst.FormattedStringText) for part in node.parts):
            scanned = fstring_text(node)
            return scanned[0] if scanned is not None else None
        return None
    return string_value(node)


def _import_block_end(body: list[cst.BaseStatement]) -> int:
    """Index after the docstring and the leading run of import statements."""
    index = _docstring_end(body)
    end = index
    for position in range(index, len(body)):
        statement = body[position]
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import | cst.ImportFrom) for s in statement.body
        ):
            end = position + 1
        else:
            break
    return end


def _binds_at_top_level(module: cst.Module, name: str) -> bool:
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname else alias.name
                    if isinstance(bound, cst.Name) and bound.value == name:
                        return True
            if isinstance(small, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
            ):
                return True
    return False


def _add_import(module: cst.Module, module_name: str, name: str) -> cst.Module:
    """Add ``from module_name import name`` once, merging into an existing import from it.

    Only the top-level statements are looked at: LibCST's ``AddImportsVisitor`` walks the
    whole tree with matcher dispatch and costs more than the rewrite itself (~0.2 s/file).
    """
    body = list(module.body)
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and small.module is not None
            and dotted_name(small.module) == module_name
            and not isinstance(small.names, cst.ImportStar)
        ):
            names = [alias.with_changes(comma=cst.MaybeSentinel.DEFAULT) for alias in small.names]
            names.append(cst.ImportAlias(name=cst.Name(name)))
            body[index] = statement.with_changes(
                body=[small.with_changes(names=names, lpar=small.lpar, rpar=small.rpar)]
            )
            return module.with_changes(body=body)
    new_import = cst.parse_statement(f"from {module_name} import {name}\n")
    end = _import_block_end(body)
    if end == _docstring_end(body):  # no imports: put it after the docstring
        new_import = new_import.with_changes(leading_lines=[])
    body.insert(end, new_import)
    return module.with_changes(body=body)


def _docstring_end(body: list[cst.BaseStatement]) -> int:
    if body and isinstance(body[0], cst.SimpleStatementLine) and body[0].body:
        first = body[0].body[0]
        if isinstance(first, cst.Expr) and isinstance(
            first.value, cst.SimpleString | cst.ConcatenatedString
        ):
            return 1
    return 0


def _add_schema_variable(
    module: cst.Module, config: RewriteConfig, need_assignment: bool
) -> cst.Module:
    if config.call_module and not _binds_at_top_level(module, config.call_name):
        module = _add_import(module, config.call_module, config.call_name)
    if not need_assignment:
        return module
    body = list(module.body)
    end = _import_block_end(body)
    assignment = cst.parse_statement(f"{SCHEMA_VARIABLE} = {config.call_name}()\n")
    assignment = assignment.with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(end, assignment)
    following = body[end + 1] if end + 1 < len(body) else None
    if following is not None and not following.leading_lines:
        # Keep the assignment visually apart from the code after it.
        body[end + 1] = following.with_changes(leading_lines=[cst.EmptyLine()])
    return module.with_changes(body=body)


def rewrite_schema_names(module: cst.Module, config: RewriteConfig) -> SchemaRewriteResult:
    """Rewrite schema literals of one parsed module; see the module docstring."""
    needles = tuple(schema.lower() for schema in config.schemas)
    transformer = SchemaNameTransformer(config, only=paths_to_strings(module, needles))
    updated = module.visit(transformer)
    reports = transformer.leftover_reports()
    lines = lines_of(module, (node for node, _ in reports))
    diagnostics = [Diagnostic(lines.get(id(node), 1), message) for node, message in reports]
    if not transformer.changed:
        return SchemaRewriteResult(module, False, diagnostics)
    need_assignment = transformer.uses_module_variable and not (
        transformer.module_variable_assigned or _binds_at_top_level(updated, SCHEMA_VARIABLE)
    )
    if need_assignment or transformer.needs_import:
        updated = _add_schema_variable(updated, config, need_assignment)
    return SchemaRewriteResult(updated, True, diagnostics)
