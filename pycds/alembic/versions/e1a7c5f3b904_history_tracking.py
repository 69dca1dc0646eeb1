"""History tracking

The hxtk trigger functions and their triggers: every insert, update and delete on a
tracked table appends a row to its ``_hx`` table, with the latest history ids of the rows
it references. Works whatever the session's ``search_path``.

Revision ID: e1a7c5f3b904
Revises: 9b4e6d2a7c18
Create Date: 2026-11-25 08:41:00

"""

from collections.abc import Sequence

from pycds import get_schema_name
from pycds.migration_helpers import create_entities, drop_entities
from pycds.replaceables import history_entities

revision: str = "e1a7c5f3b904"
down_revision: str | Sequence[str] | None = "9b4e6d2a7c18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()


def upgrade() -> None:
    create_entities(history_entities(schema_name))


def downgrade() -> None:
    drop_entities(history_entities(schema_name))
