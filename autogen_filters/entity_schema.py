"""Op-tree pass: the managed schema's name in every string of an entity op becomes a variable.

Autogenerate renders alembic-utils entities with their schema spelled out: ``schema="crmp"``,
``signature="variable_tags(var crmp.meta_vars)"``, ``crmp.`` throughout the definition, and
``op.execute("GRANT ... ON crmp.v ...")`` after it. A migration that must run in any schema
needs ``schema=schema_name`` and f-strings instead. This pass runs in
``process_revision_directives``, before rendering, where the schema of each entity is known,
so only the managed schema's own qualifiers are replaced:

* with a ``probe`` (a function building the declared entities for any schema), a declared
  entity is built once more for a probe schema name: every place where the two builds differ
  is the schema, whatever the text (a PL/Python body included);
* otherwise the text is lexed as PostgreSQL (:mod:`rewriters.sql_schema`): ``crmp.`` in code
  is a qualifier; in a literal, a comment or a non-SQL body it might be data, so that string
  is left as it is and reported (``ambiguities``).

Other schemas (``public``...) are never touched. The LibCST pass of :mod:`rewriters` then only
deals with files written by other means.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from alembic.autogenerate.rewriter import Rewriter
from alembic.operations import ops
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.replaceable_entity import ReplaceableEntity
from alembic_utils.reversible_op import ReversibleOp

from rewriters.sql_schema import parametrize_sql

#: Stands for the schema when the probe builds the entities: no real text contains it.
PROBE_SCHEMA = "zz_autogen_filters_probe_schema"

Probe = Callable[[str], Iterable[ReplaceableEntity]]

# Entity attributes rendered as strings, in alembic-utils' order, and the others.
_TEXT_FIELDS = ("signature", "on_entity", "definition")
_OTHER_FIELDS = ("is_constraint", "with_data")


class SchemaLiteral(str):
    """SQL text whose ``repr`` is an f-string naming the schema through a variable.

    Its value stays the concrete SQL; only rendering (``op.execute({sql!r})``) changes.
    """

    template: str

    def __new__(cls, value: str, template: str) -> SchemaLiteral:
        text = super().__new__(cls, value)
        text.template = template
        return text

    def __repr__(self) -> str:
        return "f" + _quote(self.template)


def _quote(text: str) -> str:
    """A one-line Python string literal for ``text``: rendering indents every line, which
    would change the inside of a multi-line literal."""
    return repr(text)


class _Templates:
    """Finds the f-string template of each string, and records the strings left alone."""

    def __init__(self, schema: str, variable: str, probe: Probe | None) -> None:
        self.schema = schema
        self.variable = variable
        self.probe = probe
        self._probed: dict[str, ReplaceableEntity] | None = None
        self.ambiguities: list[str] = []

    def probed(self, entity: ReplaceableEntity) -> ReplaceableEntity | None:
        """The probe's build of ``entity``, if it builds the very same entity."""
        if self.probe is None:
            return None
        if self._probed is None:
            built = list(self.probe(PROBE_SCHEMA))
            self._probed = {e.identity.replace(PROBE_SCHEMA, self.schema): e for e in built}
        candidate = self._probed.get(entity.identity)
        if candidate is None:
            return None
        same = all(
            str(getattr(candidate, name, "")).replace(PROBE_SCHEMA, self.schema)
            == str(getattr(entity, name, ""))
            for name in _TEXT_FIELDS
        )
        return candidate if same else None

    def template(self, text: str, probed: str | None, what: str) -> str | None:
        """f-string body for ``text``, or None when it must stay a plain string."""
        if probed is not None and PROBE_SCHEMA in probed:
            escaped = probed.replace("{", "{{").replace("}", "}}")
            return escaped.replace(PROBE_SCHEMA, "{" + self.variable + "}")
        rewrite = parametrize_sql(text, (self.schema,), self.variable)
        if rewrite.changed:
            return rewrite.text
        for reason in rewrite.ambiguous:
            self.ambiguities.append(f"{what}: schema name left as it is ({reason})")
        return None

    def entity(self, entity: ReplaceableEntity) -> ReplaceableEntity:
        """A copy of ``entity`` that renders with the schema as a variable."""
        if entity.schema != self.schema:
            return entity
        if isinstance(entity, PGGrantTable):
            name = re.sub(r"\W", "_", f"{entity.table}_{entity.role}_{entity.grant}".lower())
            return self._rendered(entity, name, _grant_fields(entity, self.variable))
        probed = self.probed(entity)
        name = entity.signature.split("(")[0]
        on_entity = getattr(entity, "on_entity", None)
        if on_entity:  # a trigger's name is unique per table only
            name = f"{on_entity.split('.')[-1]}_{name}"
        name = re.sub(r"\W", "_", name.strip().lower())
        fields: list[str] = [f"    schema={self.variable},"]
        for field in _TEXT_FIELDS:
            value = getattr(entity, field, None)
            if value is None:
                continue
            probed_value = getattr(probed, field) if probed is not None else None
            found = self.template(str(value), probed_value, f"{entity.identity} {field}")
            literal = "f" + _quote(found) if found is not None else _quote(str(value))
            fields.append(f"    {field}={literal},")
        for field in _OTHER_FIELDS:
            if hasattr(entity, field):
                fields.append(f"    {field}={getattr(entity, field)!r},")
        return self._rendered(entity, name, fields)

    def _rendered(
        self, entity: ReplaceableEntity, name: str, fields: list[str]
    ) -> ReplaceableEntity:
        rendered = f"{name} = {type(entity).__name__}(\n" + "\n".join(fields) + "\n)\n"
        parametrised = copy.copy(entity)
        # Instance attributes shadow the class's methods: only this copy renders differently.
        parametrised.to_variable_name = lambda: name  # type: ignore[method-assign]
        parametrised.render_self_for_migration = (  # type: ignore[method-assign]
            lambda omit_definition=False: rendered
        )
        replaced = getattr(entity, "_version_to_replace", None)
        if replaced is not None:
            parametrised._version_to_replace = self.entity(replaced)  # type: ignore[assignment]  # alembic-utils types it as its unbound TypeVar
        return parametrised

    def sql(self, statement: Any) -> Any:
        if not isinstance(statement, str) or isinstance(statement, SchemaLiteral):
            return statement
        found = self.template(statement, None, f"op.execute({statement[:60]!r}...)")
        return SchemaLiteral(statement, found) if found is not None else statement


def _grant_fields(entity: Any, variable: str) -> list[str]:
    """A ``PGGrantTable``'s constructor arguments; only ``schema`` holds the schema (its
    identity and definition are derived, not arguments)."""
    return [
        f"    schema={variable},",
        f"    table={entity.table!r},",
        f"    columns={entity.columns!r},",
        f"    role={entity.role!r},",
        f"    grant={str(entity.grant)!r},",
        f"    with_grant_option={entity.with_grant_option!r},",
    ]


_SQL_ATTRIBUTES = ("extra_sql", "extra_sql_on_create", "live_extra_sql", "replaced_by_extra_sql")
_ENTITY_ATTRIBUTES = ("target", "live", "replaced_by")


def _parametrise(operations: Sequence[Any], templates: _Templates) -> None:
    for operation in operations:
        if isinstance(operation, ops.OpContainer):
            _parametrise(operation.ops, templates)
        elif isinstance(operation, ReversibleOp):
            for attribute in _ENTITY_ATTRIBUTES:
                entity = getattr(operation, attribute, None)
                if isinstance(entity, ReplaceableEntity):
                    setattr(operation, attribute, templates.entity(entity))
            for attribute in _SQL_ATTRIBUTES:
                statements = getattr(operation, attribute, None)
                if statements:
                    setattr(operation, attribute, tuple(map(templates.sql, statements)))
        elif isinstance(operation, ops.ExecuteSQLOp):
            operation.sqltext = templates.sql(operation.sqltext)


def make_entity_schema_writer(
    schema: str, *, variable: str = "schema_name", probe: Probe | None = None
) -> Rewriter:
    """A Rewriter that renders entity ops of ``schema`` with ``variable`` for the schema.

    ``variable`` must be defined in the migration module (pycds's template sets
    ``schema_name = get_schema_name()``). Strings left alone are listed on the rewriter's
    ``ambiguities`` (cleared per run).
    """
    writer = Rewriter()
    writer.ambiguities = []  # type: ignore[attr-defined]

    @writer.rewrites(ops.MigrationScript)
    def _rewrite_script(context: Any, revision: Any, script: ops.MigrationScript) -> Any:
        templates = _Templates(schema, variable, probe)
        for tree in (*script.upgrade_ops_list, *script.downgrade_ops_list):
            _parametrise(tree.ops, templates)
        writer.ambiguities[:] = list(dict.fromkeys(templates.ambiguities))  # type: ignore[attr-defined]
        return script

    return writer
