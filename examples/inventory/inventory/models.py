"""The ORM of the inventory database: warehouses, items and stock levels."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from inventory.settings import get_schema


class Base(DeclarativeBase):
    metadata = sa.MetaData(schema=get_schema())


class Warehouse(Base):
    __tablename__ = "warehouse"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    city: Mapped[str | None] = mapped_column(sa.String(64))


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))


class Stock(Base):
    __tablename__ = "stock"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey(Item.id), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey(Warehouse.id), primary_key=True)
    quantity: Mapped[int] = mapped_column(server_default=sa.text("0"))


metadata = Base.metadata
