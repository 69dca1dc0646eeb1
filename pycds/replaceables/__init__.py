"""Every function, trigger, view and materialized view of the CRMP schema, as alembic-utils
entities; with the extensions and the standard grants, everything autogenerate compares
(:func:`declared_entities`).

All builders are pure: they take a schema name (default ``pycds.get_schema_name()``) and
return fresh entity objects for that schema; nothing is registered at import. Every SQL
body names the schema's objects with that schema (and PostGIS objects with ``public.``), so
nothing depends on the caller's ``search_path``.

Creation order (:func:`all_entities`): functions (helpers first), triggers, views that read
only tables, materialized views in dependency order, then ``crmp_network_geoserver``, which
reads two matviews. Matview indexes are not entities: create :func:`matview_indexes` after
the matviews. PL/Python functions need the SU role (:func:`needs_su_role`).

Every entity round-trips: creating it and reading it back with alembic-utils yields no
operation (tested with and without the schema on the ``search_path``). Read back with the
schema *off* the ``search_path``, every entity also keeps its identity; with it on,
PostgreSQL prints ``variable_tags(var meta_vars)`` unqualified, a different identity. Replacing a
materialized view that others read needs those dropped first: see :func:`dependents_of`.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.replaceable_entity import ReplaceableEntity
from sqlalchemy import MetaData

from pycds.migration_helpers import UNTRUSTED_LANGUAGES, needs_su_role
from pycds.replaceables.extensions import extensions
from pycds.replaceables.functions import functions
from pycds.replaceables.grants import standard_grants
from pycds.replaceables.history import (
    history_entities,
    history_functions,
    history_triggers,
    hx_foreign_keys_argument,
)
from pycds.replaceables.matviews import MatviewIndex, indexes_of, matview_indexes, matviews
from pycds.replaceables.network_triggers import (
    network_entities,
    network_trigger_functions,
    network_triggers,
)
from pycds.replaceables.views import views, views_on_matviews, views_on_tables
from pycds.tracking import HISTORY_TRACKED, HX_FOREIGN_KEYS


def all_functions(schema: str | None = None) -> list[PGFunction]:
    """All 21 functions: hxtk (6), display-name trigger functions (2), ordinary (13)."""
    return [*history_functions(schema), *network_trigger_functions(schema), *functions(schema)]


def all_entities(schema: str | None = None) -> list[ReplaceableEntity]:
    """Every entity of the schema, in an order in which they can be created one by one."""
    return [
        *all_functions(schema),
        *network_triggers(schema),
        *history_triggers(schema),
        *views_on_tables(schema),
        *matviews(schema),
        *views_on_matviews(schema),
    ]


def declared_entities(
    schema: str | None = None, metadata: MetaData | None = None
) -> list[ReplaceableEntity]:
    """What pycds declares to autogenerate: extensions, every entity, the standard grants
    (on the history tables of ``metadata``, default pycds's ORM)."""
    return [*extensions(), *all_entities(schema), *standard_grants(schema, metadata)]


# Which views and matviews read each matview directly. Maintained by hand, checked by a test
# that drops every matview after its dependents (a missing reader makes the drop fail).
_READERS: dict[str, tuple[str, ...]] = {
    "vars_per_history_mv": ("collapsed_vars_mv",),
    "collapsed_vars_mv": ("crmp_network_geoserver",),
    "station_obs_stats_mv": ("crmp_network_geoserver",),
    "discarded_obs_raw_mv": (
        "daily_max_temperature_mv",
        "daily_min_temperature_mv",
        "monthly_total_precipitation_mv",
    ),
    "daily_max_temperature_mv": ("monthly_average_of_daily_max_temperature_mv",),
    "daily_min_temperature_mv": ("monthly_average_of_daily_min_temperature_mv",),
}


def dependents_of(name: str, schema: str | None = None) -> list[ReplaceableEntity]:
    """The views and matviews that read ``name``, directly or not, in creation order.

    Replacing a matview means dropping and re-creating it, which PostgreSQL refuses while
    these exist (and CASCADE is avoided on purpose): drop them in reverse order first,
    re-create them in this order afterwards (with their matview indexes).
    """
    found: set[str] = set()
    pending = [name]
    while pending:
        for reader in _READERS.get(pending.pop(), ()):
            if reader not in found:
                found.add(reader)
                pending.append(reader)
    return [
        entity
        for entity in all_entities(schema)
        if not isinstance(entity, PGFunction | PGTrigger) and entity.signature in found
    ]


__all__ = [
    "HISTORY_TRACKED",
    "HX_FOREIGN_KEYS",
    "UNTRUSTED_LANGUAGES",
    "MatviewIndex",
    "all_entities",
    "all_functions",
    "declared_entities",
    "dependents_of",
    "extensions",
    "functions",
    "history_entities",
    "history_functions",
    "history_triggers",
    "hx_foreign_keys_argument",
    "indexes_of",
    "matview_indexes",
    "matviews",
    "needs_su_role",
    "network_entities",
    "network_trigger_functions",
    "network_triggers",
    "standard_grants",
    "views",
    "views_on_matviews",
    "views_on_tables",
]
