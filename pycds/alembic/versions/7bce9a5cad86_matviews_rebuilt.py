"""Materialized views: pycds's definitions, rebuilt; daysinmonth without parameter name

Every materialized view is dropped and created again from ``pycds.frozen.r7bce9a5cad86``
(with its indexes and the standard grants), owned by the migrating role (upstream: the
SU role for seven of them). What changes for the data:

- ``discarded_obs_raw_mv`` reads only the flag tables (upstream's also scanned obs_raw);
- ``climo_obs_count_mv`` and ``collapsed_vars_mv`` follow the case-sensitive
  ``variable_tags`` of revision 4e9b6d2f7a53;
- every matview is brought up to date (a rebuild is a full refresh).

``daysinmonth`` loses its parameter name (pycds declares ``daysinmonth(timestamp)``),
which needs a drop and a create: possible only while no matview calls it, so it happens
here, between the drops and the creations. ``crmp_network_geoserver`` reads two of the
matviews: it is dropped first and created again last, with its grants.

On a running database: this is the expensive revision. All eleven matviews are computed
from obs_raw again, in the migration's transaction, in dependency order: plan for the
duration of a full refresh of all of them (hours on CRMP), during which readers of the
matviews and of crmp_network_geoserver wait (ACCESS EXCLUSIVE) and GeoServer's station
layers are unavailable. obs_raw stays writable (the rebuild reads it). A view outside
pycds that reads one of these matviews makes a drop fail, and nothing changes: drop it
first, re-create it afterwards.

Downgrade rebuilds upstream's definitions, owners and grants the same way (same cost).

Revision ID: 7bce9a5cad86
Revises: 6abd8f4b9c75
Create Date: 2026-11-30 07:16:00

"""

from collections.abc import Sequence
from contextlib import nullcontext

from alembic import op

from pycds import get_schema_name
from pycds.frozen import r6abd8f4b9c75, r7bce9a5cad86
from pycds.migration_helpers import grant_standard_privileges, su_role
from pycds.upstream_head import functions as upstream_functions
from pycds.upstream_head import views as upstream

revision: str = "7bce9a5cad86"
down_revision: str | Sequence[str] | None = "6abd8f4b9c75"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

DAYSINMONTH = "daysinmonth(timestamp without time zone)"


def _drop_all() -> None:
    s = schema_name
    op.execute(f"DROP VIEW {s}.crmp_network_geoserver")
    for relation in reversed(upstream.matviews(s)):
        op.execute(f"DROP MATERIALIZED VIEW {s}.{relation.name}")
    op.execute(f"DROP FUNCTION {s}.{DAYSINMONTH}")


def _create_views_on_matviews() -> None:
    # As revision 6abd8f4b9c75 created it.
    op.create_entity(r6abd8f4b9c75.crmp_network_geoserver(schema_name))
    grant_standard_privileges(schema_name, "crmp_network_geoserver")


def upgrade() -> None:
    s = schema_name
    _drop_all()
    op.create_entity(r7bce9a5cad86.daysinmonth(s))
    for matview in r7bce9a5cad86.matviews(s):
        op.create_entity(matview)
        for statement in r7bce9a5cad86.index_statements(s, matview.signature):
            op.execute(statement)
        grant_standard_privileges(s, matview.signature)
    _create_views_on_matviews()


def downgrade() -> None:
    s = schema_name
    _drop_all()
    (daysinmonth,) = (
        f for f in upstream_functions.ordinary_functions(s) if f.name == "daysinmonth"
    )
    with su_role():
        op.execute(daysinmonth.sql)
    for relation in upstream.matviews(s):
        with su_role() if relation.su_owned else nullcontext():
            op.execute(relation.create_sql(s))
            for index in relation.indexes:
                op.execute(index)
            grant_standard_privileges(s, relation.name)
    _create_views_on_matviews()
