"""Network display-name triggers

A new network's display name defaults to its name; a network's name can no longer
change (renames go through the display name).

Revision ID: 4c8f2b6e9d13
Revises: e1a7c5f3b904
Create Date: 2026-11-25 08:42:00

"""

from collections.abc import Sequence

from pycds import get_schema_name
from pycds.migration_helpers import create_entities, drop_entities
from pycds.replaceables import network_entities

revision: str = "4c8f2b6e9d13"
down_revision: str | Sequence[str] | None = "e1a7c5f3b904"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()


def upgrade() -> None:
    create_entities(network_entities(schema_name))


def downgrade() -> None:
    drop_entities(network_entities(schema_name))
