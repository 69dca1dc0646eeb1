"""variable_tags matches Climatology in any case again

Upstream's ``variable_tags`` tags a variable ``climatology`` when its ``net_var_name``
(citext) contains ``Climatology`` in any case (crmp-facts 3.6, 6). Revision 4e9b6d2f7a53
made the test case-sensitive, so after it real variables such as ``tmax_climatology``
became observations. The test is case-insensitive again, made with pg_catalog's ``~*`` on
the text value (never citext's operators, which would depend on the search_path); the
function stays IMMUTABLE PARALLEL SAFE.

On a running database: ``CREATE OR REPLACE FUNCTION`` (catalog only), then the two
matviews whose rows come from the tags are refreshed: ``climo_obs_count_mv`` (reads
obs_raw for the climatology variables: up to a scan of obs_raw, minutes on CRMP) and
``collapsed_vars_mv`` (vars_per_history_mv and meta_vars: seconds). Each refresh holds an
ACCESS EXCLUSIVE lock on its matview until this revision commits, so readers of these
matviews and of ``crmp_network_geoserver`` (GeoServer's station layers) wait meanwhile;
``REFRESH ... CONCURRENTLY`` is impossible, neither matview having a unique index. obs_raw
stays writable. ``getstationvariabletable`` and the views call the function: nothing to
re-create. No table rewrite.

Downgrade restores revision 4e9b6d2f7a53's case-sensitive text and refreshes the same two
matviews (same cost).

Revision ID: 25e7620a1047
Revises: a93888fd78de
Create Date: 2026-11-30 08:05:00

"""

from collections.abc import Sequence

from alembic import op
from alembic_utils.pg_function import PGFunction

from pycds import get_schema_name
from pycds.frozen import r4e9b6d2f7a53 as frozen

revision: str = "25e7620a1047"
down_revision: str | Sequence[str] | None = "a93888fd78de"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every object lives in the schema chosen at run time with PYCDS_SCHEMA_NAME.
schema_name = get_schema_name()

# The matviews whose rows come from variable_tags, in refresh order.
TAGGED = ("climo_obs_count_mv", "collapsed_vars_mv")


def _refresh() -> None:
    for matview in TAGGED:
        op.execute(f"REFRESH MATERIALIZED VIEW {schema_name}.{matview}")


def upgrade() -> None:
    variable_tags = PGFunction(
        schema=schema_name,
        signature=f"variable_tags(var {schema_name}.meta_vars)",
        definition="""RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN (var).net_var_name::text ~* 'climatology' THEN ARRAY['climatology']
    ELSE ARRAY['observation']
END
$$""",
    )
    op.replace_entity(variable_tags)
    _refresh()


def downgrade() -> None:
    # Back to the case-sensitive test, as revision 4e9b6d2f7a53 created it.
    op.replace_entity(frozen.variable_tags(schema_name))
    _refresh()
