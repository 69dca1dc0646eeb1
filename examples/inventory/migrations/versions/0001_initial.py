"""The inventory schema: warehouses, items, stock.

Revision ID: 0001
Revises:
Create Date: 2026-11-30 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inventory.settings import get_schema

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

schema_name = get_schema()


def upgrade() -> None:
    op.create_table(
        "warehouse",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("city", sa.String(64), nullable=True),
        schema=schema_name,
    )
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        schema=schema_name,
    )
    op.create_table(
        "stock",
        sa.Column(
            "item_id", sa.Integer(), sa.ForeignKey(f"{schema_name}.item.id"), primary_key=True
        ),
        sa.Column(
            "warehouse_id",
            sa.Integer(),
            sa.ForeignKey(f"{schema_name}.warehouse.id"),
            primary_key=True,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False, server_default=sa.text("0")),
        schema=schema_name,
    )


def downgrade() -> None:
    op.drop_table("stock", schema=schema_name)
    op.drop_table("item", schema=schema_name)
    op.drop_table("warehouse", schema=schema_name)
