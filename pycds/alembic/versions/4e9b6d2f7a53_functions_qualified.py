"""Functions: pycds's definitions, schema-qualified, with sound properties and owners

Replaces upstream's functions (all but daily_ts, monthly_ts and daysinmonth, handled by
the next revisions) with pycds's (frozen in ``pycds.frozen.r4e9b6d2f7a53``):

- every name in a body is qualified with the schema (``hxtk_*`` address tables through
  ``TG_TABLE_SCHEMA``), so writing to a tracked table, running ``do_query_one_station``
  or the SQL that ``getstationvariabletable`` returns no longer needs the schema on the
  ``search_path``; the history triggers no longer need hstore;
- ``closest_stns_within_threshold`` (SECURITY DEFINER) pins its ``search_path``, and is
  owned by the migrating role instead of the SU role: it runs with that role's rights, no
  longer a superuser's;
- ``updatesdateedate`` joins on keys (upstream's NATURAL JOIN also matched mod_time and
  mod_user and wrote NULL dates) and updates only stations whose dates change;
- pure helpers (``lastdateofmonth``, ``season``, the hxtk name helpers, now SQL, and
  ``variable_tags``) are IMMUTABLE PARALLEL SAFE; ``season`` loses its parameter name
  (dropped and created again); the three PL/Python functions are STRICT;
- ``variable_tags`` tests ``Climatology`` case-sensitively on the text value (citext's
  operators would depend on the caller's search_path). Variables whose name contains
  ``climatology`` in another case become observations: climo_obs_count_mv and
  collapsed_vars_mv change on their next refresh (revision 7bce9a5cad86 rebuilds them).
  Revision 25e7620a1047 makes the test case-insensitive again, as upstream's;
- ``hxtk_primary_ops_to_hx`` still copies rows by position (by name from a93888fd78de).
- owners: the migrating role, except the PL/Python functions (SU role, as before).

On a running database: catalog-only (CREATE OR REPLACE FUNCTION, brief locks on
pg_proc entries); no table rewrite. Sessions pick up the new bodies on their next call.

Downgrade restores upstream's definitions, properties and owners.

Revision ID: 4e9b6d2f7a53
Revises: 3d8a5c1e6f42
Create Date: 2026-11-30 07:13:00

"""

from collections.abc import Sequence
from contextlib import nullcontext

from alembic import op

from pycds import get_schema_name, get_su_role_name
from pycds.frozen import r4e9b6d2f7a53 as frozen
from pycds.migration_helpers import needs_su_role, su_role
from pycds.upstream_head import functions as upstream

revision: str = "4e9b6d2f7a53"
down_revision: str | Sequence[str] | None = "3d8a5c1e6f42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

# Replaced by later revisions: daily_ts/monthly_ts change their result declaration,
# daysinmonth is called by matviews rebuilt together with it.
LATER = frozenset({"daily_ts", "monthly_ts", "daysinmonth"})
# A parameter name cannot be removed by CREATE OR REPLACE: drop and create.
RECREATED = {"season": "season(timestamp without time zone)"}


def _name(signature: str) -> str:
    return signature.split("(", 1)[0]


def upgrade() -> None:
    s = schema_name
    root = {function.name: function for function in upstream.all_functions(s)}
    for entity in frozen.functions(s):
        name = _name(entity.signature)
        with su_role() if needs_su_role(entity) else nullcontext():
            if name in RECREATED:
                op.execute(root[name].drop_sql(s))
                op.create_entity(entity)
            else:
                op.replace_entity(entity)
        if root[name].su_owned and not needs_su_role(entity) and name not in RECREATED:
            op.execute(f"ALTER FUNCTION {s}.{root[name].identity} OWNER TO CURRENT_USER")


def downgrade() -> None:
    s = schema_name
    for function in upstream.all_functions(s):
        if function.name in LATER:
            continue
        if function.name in RECREATED:
            op.execute(f"DROP FUNCTION {s}.{RECREATED[function.name]}")
        with su_role() if function.su_owned else nullcontext():
            op.execute(function.sql)
        if function.su_owned:
            op.execute(f"ALTER FUNCTION {s}.{function.identity} OWNER TO {get_su_role_name()}")
