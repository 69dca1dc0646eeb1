"""Extensions needed by the pycds schema

PostGIS (geometry), citext (case-insensitive variable names) and the plpython3u
language, created in ``public`` under the SU role because they need a superuser.

Downgrade leaves them in place: extensions are database-wide and other schemas of the
same database (another PYCDS_SCHEMA_NAME, PostGIS users) may depend on them.

Revision ID: 5a1e0c7b2d31
Revises:
Create Date: 2026-11-25 08:30:00

"""

from collections.abc import Sequence

from alembic import op

from pycds.migration_helpers import su_role

revision: str = "5a1e0c7b2d31"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Extension -> the schema its objects go to (None: the language's own placement).
EXTENSIONS = {"postgis": "public", "citext": "public", "plpython3u": None}


def upgrade() -> None:
    with su_role():
        for extension, schema in EXTENSIONS.items():
            placement = f" SCHEMA {schema}" if schema else ""
            op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}{placement}")


def downgrade() -> None:
    # Deliberately nothing: see the module docstring.
    pass
