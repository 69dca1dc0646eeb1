"""Live definitions of functions, views, materialized views and triggers: one query per kind.

alembic-utils runs its ``from_database`` query once per entity and schema; here each kind is
read once for all schemas of interest.  The rows are turned into alembic-utils entities with
the same constructors and parsers (``from_sql``) that alembic-utils uses, so that definitions
and identities compare exactly as they do in alembic-utils.  Each entity is paired with its
catalog key (``pg_proc``/``pg_class``/``pg_trigger`` and oid) so that the dependency catalog
(``depends.py``) can be joined to it, and a function with its ``FunctionShape`` (return type,
argument names and modes, number of defaults), read by the same query, so that ``inplace.py``
can tell whether ``CREATE OR REPLACE`` would accept a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import parse
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import text
from sqlalchemy.engine import Connection

#: The entity classes this package manages, in the order a creation usually needs.
MANAGED_KINDS: tuple[type[ReplaceableEntity], ...] = (
    PGFunction,
    PGView,
    PGMaterializedView,
    PGTrigger,
)

CatalogKey = tuple[str, int]
"""``(catalog, oid)``: ``("pg_proc", oid)``, ``("pg_class", oid)`` or ``("pg_trigger", oid)``."""


@dataclass(frozen=True)
class FunctionShape:
    """What ``CREATE OR REPLACE FUNCTION`` may not change, as ``pg_proc`` records it.

    Read with the definition (same query) for live and simulated functions alike, so that
    ``inplace.py`` can tell whether a replace can be done in place.
    """

    result: str  # pg_get_function_result(oid): return type, incl. SETOF / TABLE(...)
    arg_names: tuple[str, ...]  # proargnames, one per argument ('' when unnamed)
    arg_modes: tuple[str, ...]  # proargmodes, one per argument (i, o, b, v, t)
    n_defaults: int  # pronargdefaults

    @classmethod
    def from_row(
        cls,
        result: str,
        n_args: int,
        names: Sequence[str] | None,
        modes: Sequence[str] | None,
        n_defaults: int,
    ) -> FunctionShape:
        """From catalog columns; NULL ``proargmodes`` means all IN, NULL names all unnamed."""
        arg_modes = tuple(modes) if modes else ("i",) * n_args
        arg_names = tuple(names) if names else ("",) * len(arg_modes)
        return cls(result, arg_names, arg_modes, int(n_defaults))


@dataclass(frozen=True)
class LiveEntity:
    """An entity as PostgreSQL holds it, with where it sits in the catalogs."""

    entity: ReplaceableEntity
    key: CatalogKey
    schema: str  # namespace of the object (of its table, for a trigger)
    name: str  # proname, relname or tgname, unquoted
    table: str | None = None  # the trigger's table name
    shape: FunctionShape | None = None  # a function's calling shape (``inplace.py``)

    @property
    def identity(self) -> str:
        return self.entity.identity


def kind_of(entity: ReplaceableEntity) -> type[ReplaceableEntity]:
    """The managed class an entity belongs to (subclasses map to their alembic-utils base)."""
    for kind in MANAGED_KINDS:
        if isinstance(entity, kind):
            return kind
    raise TypeError(f"not a managed replaceable entity kind: {type(entity).__name__}")


_FUNCTIONS = text(
    """
    select p.oid, n.nspname, p.proname,
           case when l.lanname = 'internal' then p.prosrc else pg_get_functiondef(p.oid) end,
           pg_get_function_result(p.oid), p.pronargs, p.proargnames,
           cast(p.proargmodes as text[]), p.pronargdefaults
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    join pg_language l on l.oid = p.prolang
    where n.nspname = any(:schemas)
      and p.prokind = 'f'
      -- extension-owned functions are never ours to compare or drop
      and not exists (
          select 1 from pg_depend d
          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
      )
    order by p.oid
    """
)

# Same text as pg_views.definition / pg_matviews.definition (both are pg_get_viewdef(oid)).
_RELATIONS = text(
    """
    select c.oid, n.nspname, c.relname, pg_get_viewdef(c.oid), c.relkind, c.relispopulated
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(:schemas) and c.relkind in ('v', 'm')
    order by c.oid
    """
)

_TRIGGERS = text(
    """
    select t.oid, n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and n.nspname = any(:schemas)
    order by t.oid
    """
)


# alembic-utils' ``from_sql`` recompiles its ``parse`` templates on every call (its issue #173),
# which dominates reading a few hundred triggers.  These are the same templates and the same
# post-processing, compiled once.
_FUNCTION_TEMPLATE = parse.compile(
    "create{}function{:s}{schema}.{signature}{:s}returns{:s}{definition}", case_sensitive=False
)
_TRIGGER_TEMPLATES = [
    (parse.compile(t, case_sensitive=False), "constraint" in t) for t in PGTrigger._templates
]


def function_from_sql(sql: str) -> PGFunction:
    """``PGFunction.from_sql`` with a precompiled template."""
    result = _FUNCTION_TEMPLATE.parse(sql.strip())
    if result is None:
        return PGFunction.from_sql(sql)  # let alembic-utils raise its own error
    raw_signature = result["signature"]
    signature = (
        "".join(raw_signature.split('"', 2)) if raw_signature.startswith('"') else raw_signature
    )
    return PGFunction(
        schema=result["schema"], signature=signature, definition="returns " + result["definition"]
    )


def trigger_from_sql(sql: str) -> PGTrigger:
    """``PGTrigger.from_sql`` with precompiled templates."""
    for template, is_constraint in _TRIGGER_TEMPLATES:
        result = template.parse(sql)
        if result is not None:
            on_entity = result["on_entity"]
            if "." not in on_entity:
                on_entity = "public" + "." + on_entity
            definition = " {event} ON {on_entity} {action}".format(
                event=result["event"], on_entity=on_entity, action=result["action"]
            )
            return PGTrigger(
                schema=on_entity.split(".")[0],
                signature=result["signature"],
                on_entity=on_entity,
                definition=definition,
                is_constraint=is_constraint,
            )
    return PGTrigger.from_sql(sql)  # raises alembic-utils' own error


def read_functions(conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
    rows = conn.execute(_FUNCTIONS, {"schemas": list(schemas)}).fetchall()
    return [
        LiveEntity(
            function_from_sql(sql),
            ("pg_proc", oid),
            nsp,
            name,
            shape=FunctionShape.from_row(*shape),
        )
        for oid, nsp, name, sql, *shape in rows
    ]


def read_views(conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
    """Views and materialized views, in one query (both live in ``pg_class``)."""
    rows = conn.execute(_RELATIONS, {"schemas": list(schemas)}).fetchall()
    found = []
    for oid, nsp, name, definition, relkind, populated in rows:
        if relkind == "v":
            entity: ReplaceableEntity = PGView(nsp, name, definition)
        else:
            entity = PGMaterializedView(nsp, name, definition, with_data=populated)
        found.append(LiveEntity(entity, ("pg_class", oid), nsp, name))
    return found


def read_triggers(conn: Connection, schemas: Sequence[str]) -> list[LiveEntity]:
    """Triggers, rendered with an empty search_path.

    ``pg_get_triggerdef`` leaves the table unqualified when it is visible on the search_path,
    and alembic-utils then assumes ``public`` (wrong schema, broken DROP).  With an empty
    search_path for this one query the table is always qualified.  The setting is local to the
    enclosing transaction and restored right after.
    """
    previous = conn.execute(text("select current_setting('search_path')")).scalar_one()
    conn.execute(text("select set_config('search_path', '', true)"))
    try:
        rows = conn.execute(_TRIGGERS, {"schemas": list(schemas)}).fetchall()
    finally:
        conn.execute(text("select set_config('search_path', :p, true)"), {"p": previous})
    return [
        LiveEntity(trigger_from_sql(sql), ("pg_trigger", oid), nsp, tgname, table)
        for oid, nsp, table, tgname, sql in rows
    ]


def read_live(
    conn: Connection,
    schemas: Iterable[str],
    kinds: Iterable[type[ReplaceableEntity]] = MANAGED_KINDS,
) -> list[LiveEntity]:
    """Every live entity of ``kinds`` in ``schemas``: at most three catalog queries."""
    schemas = sorted(set(schemas))
    kinds = set(kinds)
    found: list[LiveEntity] = []
    if PGFunction in kinds:
        found += read_functions(conn, schemas)
    if kinds & {PGView, PGMaterializedView}:
        found += [x for x in read_views(conn, schemas) if type(x.entity) in kinds]
    if PGTrigger in kinds:
        found += read_triggers(conn, schemas)
    return found
