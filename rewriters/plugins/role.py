"""Plugin ``role``: hard-coded role names -> a configured call, e.g. ``get_su_role_name()``.

Rewrites a configured role name where a migration hard-codes it:

* in SQL string literals about roles (``SET ROLE``, ``SET SESSION AUTHORIZATION``, ``GRANT``,
  ``REVOKE``, ``OWNER TO``): ``"SET ROLE pcicdba"`` -> ``f"SET ROLE {get_su_role_name()}"``;
* as a whole string argument of an ``op.*`` call: ``op.f(..., role="pcicdba")`` ->
  ``op.f(..., role=get_su_role_name())``;

and imports the call when it is dotted (``from pycds import get_su_role_name``). Docstrings and
other strings are left alone. Off until configured::

    [tool.alembic-rewrite.role]
    roles = { pcicdba = "pycds.get_su_role_name" }

This module is the whole plugin: LibCST is imported only inside the transform.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rewriters.config import ConfigError, RewriteConfig, check_identifier_path
from rewriters.plugin import Case, Rewriter, TransformResult, check_keys

if TYPE_CHECKING:
    import libcst as cst

KEYS = {"roles": 'role name -> dotted call returning it: { pcicdba = "pkg.get_su_role_name" }'}
#: SQL that names roles: only such strings are rewritten (plus whole-role op arguments).
ROLE_SQL = re.compile(
    r"\b(SET\s+ROLE|SET\s+SESSION\s+AUTHORIZATION|GRANT|REVOKE|OWNER\s+TO)\b", re.IGNORECASE
)


def roles(config: RewriteConfig) -> Mapping[str, str]:
    """Configured role name -> dotted call."""
    configured: Mapping[str, str] = config.options.get("role", {})
    return configured


def configure(table: Mapping[str, Any], source: str, config: RewriteConfig) -> RewriteConfig:
    check_keys("role", table, KEYS, source)
    configured = table.get("roles", {})
    if not isinstance(configured, Mapping) or not configured:
        raise ConfigError(f"{source}: 'roles' must map role names to dotted calls")
    for role, call in configured.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", role):
            raise ConfigError(f"{source}: 'roles': {role!r} is not a role name")
        check_identifier_path(call, f"roles.{role}", source)
    return replace(config, options={**config.options, "role": dict(configured)})


def enabled(config: RewriteConfig) -> bool:
    return bool(roles(config))


def precheck(source: str, config: RewriteConfig) -> bool:
    """A file that never mentions a configured role cannot need this rewrite."""
    lowered = source.lower()
    return any(role.lower() in lowered for role in roles(config))


def role_spans(text: str, role: str) -> list[tuple[int, int]]:
    """Spans of ``role`` as an SQL identifier (bare or double-quoted) in role-naming SQL."""
    if not ROLE_SQL.search(text):
        return []
    name = re.escape(role)
    bare = re.compile(rf'(?<![\w$."]){name}(?![\w$."])', re.IGNORECASE)
    quoted = re.compile(rf'(?<=[^\w$.]"){name}(?=")')
    return sorted(
        {m.span() for m in bare.finditer(text)} | {m.span() for m in quoted.finditer(text)}
    )


def transform(module: cst.Module, config: RewriteConfig) -> TransformResult:
    """Replace the configured roles (see the module docstring)."""
    import libcst as cst

    from rewriters._cst import dotted_name, to_fstring
    from rewriters.schema_name import _add_import, _binds_at_top_level

    configured = roles(config)
    used: set[str] = set()

    def call(dotted: str) -> cst.Call:
        used.add(dotted)
        return cst.Call(func=cst.Name(dotted.rpartition(".")[2]))

    class RoleTransformer(cst.CSTTransformer):
        def leave_SimpleString(
            self, original_node: cst.SimpleString, updated_node: cst.SimpleString
        ) -> cst.BaseExpression:
            value = updated_node.evaluated_value
            if not isinstance(value, str):
                return updated_node
            found = sorted(
                (span, dotted)
                for role, dotted in configured.items()
                for span in role_spans(value, role)
            )
            if not found:
                return updated_node
            names = [dotted.rpartition(".")[2] for _, dotted in found]
            rewritten = to_fstring(
                updated_node, [span for span, _ in found], [f"{{{name}()}}" for name in names]
            )
            if rewritten is None:
                return updated_node
            used.update(dotted for _, dotted in found)
            return rewritten

        def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
            if isinstance(original_node.value, cst.SimpleString):
                return original_node  # a docstring stays a plain string
            return updated_node

        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
            if not (dotted_name(updated_node.func) or "").startswith("op."):
                return updated_node
            args = []
            for arg in updated_node.args:
                value = arg.value
                if isinstance(value, cst.SimpleString) and value.evaluated_value in configured:
                    arg = arg.with_changes(value=call(configured[str(value.evaluated_value)]))
                args.append(arg)
            return updated_node.with_changes(args=args)

    updated = module.visit(RoleTransformer())
    if not used:
        return TransformResult(module, False)
    for dotted in sorted(used):
        package, _, name = dotted.rpartition(".")
        if package and not _binds_at_top_level(updated, name):
            updated = _add_import(updated, package, name)
    return TransformResult(updated, True)


_HEAD = "from alembic import op\nfrom pycds import get_su_role_name\n\n\ndef upgrade():\n"
PLUGIN = Rewriter(
    name="role",
    description="hard-coded role names in SET ROLE / GRANT SQL and op calls -> a role call",
    keys=KEYS,
    configure=configure,
    enabled=enabled,
    precheck=precheck,
    transform="rewriters.plugins.role:transform",
    hint='[tool.alembic-rewrite.role] roles = { role = "pkg.get_role_name" }',
    cases=(
        Case(
            "SET ROLE and GRANT strings",
            'from alembic import op\n\n\ndef upgrade():\n    op.execute("SET ROLE pcicdba")\n'
            '    op.execute("GRANT SELECT ON t TO pcicdba, viewer")\n',
            _HEAD + '    op.execute(f"SET ROLE {get_su_role_name()}")\n'
            '    op.execute(f"GRANT SELECT ON t TO {get_su_role_name()}, viewer")\n',
            {"roles": {"pcicdba": "pycds.get_su_role_name"}},
        ),
        Case(
            "op call argument and quoted role; braces kept",
            'from alembic import op\n\n\ndef upgrade():\n    op.run("pcicdba", owner="pcicdba")\n'
            '    op.execute(\'ALTER TABLE "t{}" OWNER TO "pcicdba"\')\n',
            _HEAD + "    op.run(get_su_role_name(), owner=get_su_role_name())\n"
            '    op.execute(f\'ALTER TABLE "t{{}}" OWNER TO "{get_su_role_name()}"\')\n',
            {"roles": {"pcicdba": "pycds.get_su_role_name"}},
        ),
        Case(
            "other strings, docstrings and qualified names are left alone",
            '"""GRANT ALL TO pcicdba."""\nfrom alembic import op\n\n\ndef upgrade():\n'
            "    op.execute(\"SELECT 'pcicdba' AS who\")\n"
            '    op.execute("GRANT USAGE ON SCHEMA pcicdba_x TO viewer")\n',
            '"""GRANT ALL TO pcicdba."""\nfrom alembic import op\n\n\ndef upgrade():\n'
            "    op.execute(\"SELECT 'pcicdba' AS who\")\n"
            '    op.execute("GRANT USAGE ON SCHEMA pcicdba_x TO viewer")\n',
            {"roles": {"pcicdba": "pycds.get_su_role_name"}},
        ),
    ),
)
