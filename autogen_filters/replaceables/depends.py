"""Dependencies between replaceable entities, from PostgreSQL's dependency catalog.

``pg_depend`` records that a view's rewrite rule depends on the relations, columns, functions
and types it uses, that a trigger depends on its function, that a policy depends on the
functions in its expressions, and that a function depends on the types in its signature.
Rules and row types are mapped back to the view (``pg_class``) they belong to, and members of
an extension (its types and functions) to the extension, so that every edge reads "entity A
needs entity B".  One query serves all entities; kinds add the edges ``pg_depend`` does not
hold (a grant needs its table: ``Kind.needs``).

Function bodies in PL/pgSQL or (non-atomic) SQL record no dependencies; that is fine for the
orders computed here: those are never blocked by a function body (PostgreSQL only checks SQL
function bodies at creation time, and the simulation's creation order handles those).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .catalog import CatalogKey

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

K = TypeVar("K", bound=Hashable)

_DEPENDENCIES = text(
    """
    with edge as (
        select
            case when d.classid = 'pg_rewrite'::regclass then 'pg_class'
                 else d.classid::regclass::text end as dep_catalog,
            case when d.classid = 'pg_rewrite'::regclass then r.ev_class
                 else d.objid end as dep_oid,
            case when x.refobjid is not null then 'pg_extension'
                 when d.refclassid = 'pg_type'::regclass and t.typrelid <> 0 then 'pg_class'
                 else d.refclassid::regclass::text end as ref_catalog,
            case when x.refobjid is not null then x.refobjid
                 when d.refclassid = 'pg_type'::regclass and t.typrelid <> 0 then t.typrelid
                 else d.refobjid end as ref_oid
        from pg_depend d
        left join pg_rewrite r on d.classid = 'pg_rewrite'::regclass and r.oid = d.objid
        left join pg_type t on d.refclassid = 'pg_type'::regclass and t.oid = d.refobjid
        -- a member of an extension (a type, a function) stands for the extension
        left join pg_depend x on x.classid = d.refclassid and x.objid = d.refobjid
                             and x.deptype = 'e'
        where d.deptype = 'n'
          and d.classid in ('pg_rewrite'::regclass, 'pg_proc'::regclass,
                            'pg_trigger'::regclass, 'pg_class'::regclass,
                            'pg_policy'::regclass)
          and (d.refobjid = any(cast(:oids as oid[])) or t.typrelid = any(cast(:oids as oid[]))
               or x.refobjid = any(cast(:oids as oid[])))
    )
    select distinct dep_catalog, dep_oid, ref_catalog, ref_oid from edge
    where (dep_catalog, dep_oid) is distinct from (ref_catalog, ref_oid)
    """
)


def read_dependencies(
    conn: Connection, keys: Iterable[CatalogKey]
) -> dict[CatalogKey, set[CatalogKey]]:
    """``{entity: {entities it needs}}`` restricted to ``keys`` (one query)."""
    keys = set(keys)
    needs: dict[CatalogKey, set[CatalogKey]] = defaultdict(set)
    if not keys:
        return needs
    rows = conn.execute(_DEPENDENCIES, {"oids": sorted({oid for _, oid in keys})}).fetchall()
    for dep_catalog, dep_oid, ref_catalog, ref_oid in rows:
        dependent, needed = (dep_catalog, int(dep_oid)), (ref_catalog, int(ref_oid))
        if dependent in keys and needed in keys:
            needs[dependent].add(needed)
    return needs


def dependents_closure(needs: Mapping[K, Iterable[K]], roots: Iterable[K]) -> set[K]:
    """Every entity that needs one of ``roots``, directly or transitively.  A root appears
    only when it needs another root."""
    needed_by: dict[K, set[K]] = defaultdict(set)
    for dependent, needed in needs.items():
        for n in needed:
            needed_by[n].add(dependent)
    seen: set[K] = set()
    stack = list(set(roots))
    while stack:
        for dependent in needed_by.get(stack.pop(), ()):
            if dependent not in seen:
                seen.add(dependent)
                stack.append(dependent)
    return seen


def creation_order(
    items: Iterable[K], needs: Mapping[K, Iterable[K]], rank: Callable[[K], SupportsRichComparison]
) -> list[K]:
    """Order ``items`` so that each comes after what it needs (among ``items``).

    Ties, and cycles (which PostgreSQL would not let exist), are broken by ``rank``: among the
    items whose needs are met, the lowest rank goes first; on a cycle, the lowest-ranked
    remaining item is forced out so that the order always covers every item.
    """
    items = list(dict.fromkeys(items))
    members = set(items)
    pending = {i: {n for n in needs.get(i, ()) if n in members and n != i} for i in items}
    order: list[K] = []
    done: set[K] = set()
    remaining = sorted(items, key=rank)
    while remaining:
        ready = next((i for i in remaining if pending[i] <= done), None)
        chosen = ready if ready is not None else remaining[0]
        order.append(chosen)
        done.add(chosen)
        remaining.remove(chosen)
    return order


_COLUMN_DEPENDENTS = text(
    """
    select distinct
        case when d.classid = 'pg_rewrite'::regclass then 'pg_class'
             else d.classid::regclass::text end,
        case when d.classid = 'pg_rewrite'::regclass then r.ev_class else d.objid end
    from unnest(cast(:schemas as text[]), cast(:tables as text[]), cast(:columns as text[]))
         as wanted(schema_name, table_name, column_name)
    join pg_namespace n on n.nspname = wanted.schema_name
    join pg_class c on c.relnamespace = n.oid and c.relname = wanted.table_name
    join pg_attribute a on a.attrelid = c.oid and a.attname = wanted.column_name
    join pg_depend d on d.refclassid = 'pg_class'::regclass and d.refobjid = c.oid
                    and d.refobjsubid = a.attnum and d.deptype = 'n'
    left join pg_rewrite r on d.classid = 'pg_rewrite'::regclass and r.oid = d.objid
    where d.classid in ('pg_rewrite'::regclass, 'pg_trigger'::regclass, 'pg_proc'::regclass)
    """
)


def read_column_dependents(
    conn: Connection, columns: Iterable[tuple[str, str, str]]
) -> set[CatalogKey]:
    """Entities that use one of ``columns`` (``(schema, table, column)``), in one query."""
    columns = list(columns)
    if not columns:
        return set()
    schemas, tables, names = (list(x) for x in zip(*columns, strict=True))
    rows = conn.execute(
        _COLUMN_DEPENDENTS, {"schemas": schemas, "tables": tables, "columns": names}
    ).fetchall()
    return {(catalog, int(oid)) for catalog, oid in rows}
