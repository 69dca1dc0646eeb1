"""daily_ts and monthly_ts work

Upstream's ``daily_ts``/``monthly_ts`` filter on ``obs_raw.station_id``, a column that does
not exist, so every call fails. pycds's versions reach the station through meta_history and
return the same columns (declared ``RETURNS TABLE`` instead of OUT parameters, hence a drop
and a create). They are owned by the migrating role (upstream: the SU role).

On a running database: catalog-only; nothing depends on these functions.

Downgrade restores upstream's (failing) definitions, owned by the SU role.

Revision ID: 5fac7e3a8b64
Revises: 4e9b6d2f7a53
Create Date: 2026-11-30 07:14:00

"""

from collections.abc import Sequence

from alembic import op

from pycds import get_schema_name
from pycds.frozen import r5fac7e3a8b64 as frozen
from pycds.migration_helpers import su_role
from pycds.upstream_head import functions as upstream

revision: str = "5fac7e3a8b64"
down_revision: str | Sequence[str] | None = "4e9b6d2f7a53"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

NAMES = ("daily_ts", "monthly_ts")


def _upstream() -> list[upstream.RootFunction]:
    return [f for f in upstream.ordinary_functions(schema_name) if f.name in NAMES]


def _ours() -> list:
    return frozen.functions(schema_name)


def upgrade() -> None:
    for function in _upstream():
        op.execute(function.drop_sql(schema_name))
    for entity in _ours():
        op.create_entity(entity)


def downgrade() -> None:
    for entity in _ours():
        op.drop_entity(entity)
    with su_role():
        for function in _upstream():
            op.execute(function.sql)
