"""64-bit obs_raw_hx_id and time_bounds.obs_raw_id

Upstream's head gives ``obs_raw_hx.obs_raw_hx_id`` (and its identity sequence) the type
integer, while obs_raw holds about 10^9 rows with bigint ids and every change to obs_raw
appends a history row: the identity runs out at 2^31. ``time_bounds.obs_raw_id`` is an
integer key referencing the bigint ``obs_raw.obs_raw_id``. Both become bigint.

On a running database: each ALTER rewrites its table and rebuilds its indexes under an
ACCESS EXCLUSIVE lock. obs_raw_hx is as large as obs_raw's history (plan for the rewrite
of a ~10^9-row table: hours, twice its size in free disk, no writes to obs_raw meanwhile,
since the history trigger writes to obs_raw_hx); time_bounds is small. No view reads
either column; no matview refresh is needed.

Downgrade narrows both back to integer; it fails (and changes nothing) if a value no
longer fits.

Revision ID: 1b6e3a9c4d20
Revises: f6d5a4c2e901
Create Date: 2026-11-30 07:10:00

"""

from collections.abc import Sequence

from alembic import op

from pycds import get_schema_name

revision: str = "1b6e3a9c4d20"
down_revision: str | Sequence[str] | None = "f6d5a4c2e901"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()

# (table, column); altering an identity column's type alters its sequence's type too.
COLUMNS = (("obs_raw_hx", "obs_raw_hx_id"), ("time_bounds", "obs_raw_id"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {schema_name}.{table} ALTER COLUMN {column} TYPE bigint")


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {schema_name}.{table} ALTER COLUMN {column} TYPE integer")
