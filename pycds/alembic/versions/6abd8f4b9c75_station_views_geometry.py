"""Views: geometry in the station views, explicit joins, standard grants on all four

Upstream compiled ``history_join_station_network`` and ``crmp_network_geoserver`` from ORM
selects that wrap the geometry in ``ST_AsEWKB``: their ``the_geom`` is bytea. pycds's
versions (frozen in ``pycds.frozen.r6abd8f4b9c75``) expose ``geometry(Geometry,4326)``; a
column type cannot change in place, so both views are dropped and created again. The two other views
are replaced in place by pycds's definitions (same columns). All four get the standard
privileges (``PYCDS_STANDARD_TABLE_PRIVS``); upstream granted them on
crmp_network_geoserver only. All four are owned by the migrating role.

On a running database: catalog-only, brief ACCESS EXCLUSIVE locks on the views. **GeoServer**:
layers published from crmp_network_geoserver (and anything else reading the_geom of these
views) see a geometry column instead of bytea: reload the feature types (GeoServer caches
attribute types) and check the layers before and after. A database object that depends on
either station view makes the drop fail, and nothing changes: re-create it afterwards.

Downgrade restores upstream's column types, grants and owners (bytea again).

Revision ID: 6abd8f4b9c75
Revises: 5fac7e3a8b64
Create Date: 2026-11-30 07:15:00

"""

from collections.abc import Sequence
from contextlib import nullcontext

from alembic import op

from pycds import get_schema_name
from pycds.frozen import r6abd8f4b9c75 as frozen
from pycds.migration_helpers import grant_standard_privileges, su_role
from pycds.upstream_head import views as upstream

revision: str = "6abd8f4b9c75"
down_revision: str | Sequence[str] | None = "5fac7e3a8b64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

RECREATED = ("history_join_station_network", "crmp_network_geoserver")


def upgrade() -> None:
    s = schema_name
    for name in reversed(RECREATED):
        op.execute(f"DROP VIEW {s}.{name}")
    for entity in frozen.views(s):
        if entity.signature in RECREATED:
            op.create_entity(entity)
        else:
            op.replace_entity(entity)
        grant_standard_privileges(s, entity.signature)


def downgrade() -> None:
    s = schema_name
    # Dropped and created again, so that the views lose the grants this revision added.
    for entity in reversed(frozen.views(s)):
        op.execute(f"DROP VIEW {s}.{entity.signature}")
    restored = [*upstream.views_on_tables(s), upstream.crmp_network_geoserver(s)]
    for relation in restored:
        with su_role() if relation.su_owned else nullcontext():
            op.execute(relation.create_sql(s))
            if relation.name in upstream.GRANTED_VIEWS:
                grant_standard_privileges(s, relation.name)
