"""Ordinary functions

Date helpers, station queries and the PL/Python pivot-query builders (created as the SU
role: PL/Python is untrusted). Definitions come from ``pycds.replaceables``; a later
revision that changes one embeds its new text (autogenerate renders it literally).

Revision ID: 9b4e6d2a7c18
Revises: c3f8a1d5e927
Create Date: 2026-11-25 08:40:00

"""

from collections.abc import Sequence

from pycds import get_schema_name
from pycds.migration_helpers import create_entities, drop_entities
from pycds.replaceables import functions, needs_su_role

revision: str = "9b4e6d2a7c18"
down_revision: str | Sequence[str] | None = "c3f8a1d5e927"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema_name()


def upgrade() -> None:
    create_entities(functions(schema_name), privileged=needs_su_role)


def downgrade() -> None:
    drop_entities(functions(schema_name), privileged=needs_su_role)
