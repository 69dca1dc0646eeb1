"""History tables

One ``<table>_hx`` per tracked table, holding every version of every row, with the
standard privileges granted. The triggers that fill them come in a later revision.

Revision ID: c3f8a1d5e927
Revises: 7d2b9e4f1a60
Create Date: 2026-11-25 08:19:23.377071

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from pycds import get_schema_name
from pycds.migration_helpers import grant_standard_privileges

# revision identifiers, used by Alembic.
revision: str = "c3f8a1d5e927"
down_revision: str | Sequence[str] | None = "7d2b9e4f1a60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HX_TABLES = (
    "meta_network_hx",
    "meta_station_hx",
    "meta_history_hx",
    "meta_vars_hx",
    "obs_raw_hx",
)

# Every object lives in the schema chosen at run time with PYCDS_SCHEMA_NAME.
schema_name = get_schema_name()


def upgrade() -> None:
    op.create_table(
        "meta_network_hx",
        sa.Column("network_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("network_name", sa.String(), autoincrement=False, nullable=True),
        sa.Column("description", sa.String(), autoincrement=False, nullable=True),
        sa.Column("virtual", sa.String(length=255), autoincrement=False, nullable=True),
        sa.Column("publish", sa.Boolean(), autoincrement=False, nullable=True),
        sa.Column("col_hex", sa.String(), autoincrement=False, nullable=True),
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column(
            "mod_time",
            sa.DateTime(),
            server_default=sa.text("now()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "mod_user",
            sa.String(length=64),
            server_default=sa.text("CURRENT_USER"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("network_display_name", sa.String(), autoincrement=False, nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("meta_network_hx_id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.PrimaryKeyConstraint("meta_network_hx_id", name=op.f("meta_network_hx_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_network_hx_mod_time",
        "meta_network_hx",
        ["mod_time"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_network_hx_mod_user",
        "meta_network_hx",
        ["mod_user"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_network_hx_network_id",
        "meta_network_hx",
        ["network_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_table(
        "meta_station_hx",
        sa.Column("station_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("native_id", sa.String(), autoincrement=False, nullable=True),
        sa.Column("network_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("min_obs_time", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column("max_obs_time", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column(
            "publish",
            sa.Boolean(),
            server_default=sa.text("true"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "mod_time",
            sa.DateTime(),
            server_default=sa.text("now()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "mod_user",
            sa.String(length=64),
            server_default=sa.text("CURRENT_USER"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("meta_station_hx_id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("meta_network_hx_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meta_network_hx_id"],
            [f"{schema_name}.meta_network_hx.meta_network_hx_id"],
            name=op.f("meta_station_hx_meta_network_hx_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("meta_station_hx_id", name=op.f("meta_station_hx_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_station_hx_meta_network_hx_id",
        "meta_station_hx",
        ["meta_network_hx_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_station_hx_mod_time",
        "meta_station_hx",
        ["mod_time"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_station_hx_mod_user",
        "meta_station_hx",
        ["mod_user"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_station_hx_network_id",
        "meta_station_hx",
        ["network_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_station_hx_station_id",
        "meta_station_hx",
        ["station_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_table(
        "meta_vars_hx",
        sa.Column("vars_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("net_var_name", postgresql.CITEXT(), autoincrement=False, nullable=True),
        sa.Column("unit", sa.String(), autoincrement=False, nullable=True),
        sa.Column("standard_name", sa.String(), autoincrement=False, nullable=False),
        sa.Column("cell_method", sa.String(), autoincrement=False, nullable=False),
        sa.Column("precision", sa.Float(), autoincrement=False, nullable=True),
        sa.Column("long_description", sa.String(), autoincrement=False, nullable=True),
        sa.Column("display_name", sa.String(), autoincrement=False, nullable=False),
        sa.Column("short_name", sa.String(), autoincrement=False, nullable=True),
        sa.Column("network_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column(
            "mod_time",
            sa.DateTime(),
            server_default=sa.text("now()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "mod_user",
            sa.String(length=64),
            server_default=sa.text("CURRENT_USER"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("meta_vars_hx_id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("meta_network_hx_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meta_network_hx_id"],
            [f"{schema_name}.meta_network_hx.meta_network_hx_id"],
            name=op.f("meta_vars_hx_meta_network_hx_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("meta_vars_hx_id", name=op.f("meta_vars_hx_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_vars_hx_meta_network_hx_id",
        "meta_vars_hx",
        ["meta_network_hx_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_vars_hx_mod_time", "meta_vars_hx", ["mod_time"], unique=False, schema=schema_name
    )
    op.create_index(
        "ix_meta_vars_hx_mod_user", "meta_vars_hx", ["mod_user"], unique=False, schema=schema_name
    )
    op.create_index(
        "ix_meta_vars_hx_network_id",
        "meta_vars_hx",
        ["network_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_vars_hx_vars_id", "meta_vars_hx", ["vars_id"], unique=False, schema=schema_name
    )
    op.create_table(
        "meta_history_hx",
        sa.Column("history_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("station_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("station_name", sa.String(), autoincrement=False, nullable=True),
        sa.Column("lon", sa.Numeric(), autoincrement=False, nullable=True),
        sa.Column("lat", sa.Numeric(), autoincrement=False, nullable=True),
        sa.Column("elev", sa.Float(), autoincrement=False, nullable=True),
        sa.Column("sdate", sa.Date(), autoincrement=False, nullable=True),
        sa.Column("edate", sa.Date(), autoincrement=False, nullable=True),
        sa.Column("tz_offset", sa.Interval(), autoincrement=False, nullable=True),
        sa.Column("province", sa.String(), autoincrement=False, nullable=True),
        sa.Column("country", sa.String(), autoincrement=False, nullable=True),
        sa.Column("comments", sa.String(length=255), autoincrement=False, nullable=True),
        sa.Column("freq", sa.String(), autoincrement=False, nullable=True),
        sa.Column("sensor_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column(
            "the_geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            autoincrement=False,
            nullable=True,
        ),
        sa.Column(
            "mod_time",
            sa.DateTime(),
            server_default=sa.text("now()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "mod_user",
            sa.String(length=64),
            server_default=sa.text("CURRENT_USER"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("meta_history_hx_id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("meta_station_hx_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meta_station_hx_id"],
            [f"{schema_name}.meta_station_hx.meta_station_hx_id"],
            name=op.f("meta_history_hx_meta_station_hx_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("meta_history_hx_id", name=op.f("meta_history_hx_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_history_hx_history_id",
        "meta_history_hx",
        ["history_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_history_hx_meta_station_hx_id",
        "meta_history_hx",
        ["meta_station_hx_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_history_hx_mod_time",
        "meta_history_hx",
        ["mod_time"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_history_hx_mod_user",
        "meta_history_hx",
        ["mod_user"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_meta_history_hx_station_id",
        "meta_history_hx",
        ["station_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_table(
        "obs_raw_hx",
        sa.Column("obs_raw_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("obs_time", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column("mod_time", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("datum", sa.Float(), autoincrement=False, nullable=True),
        sa.Column("vars_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("history_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column(
            "mod_user",
            sa.String(length=64),
            server_default=sa.text("CURRENT_USER"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("obs_raw_hx_id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("meta_history_hx_id", sa.Integer(), nullable=True),
        sa.Column("meta_vars_hx_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meta_history_hx_id"],
            [f"{schema_name}.meta_history_hx.meta_history_hx_id"],
            name=op.f("obs_raw_hx_meta_history_hx_id_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["meta_vars_hx_id"],
            [f"{schema_name}.meta_vars_hx.meta_vars_hx_id"],
            name=op.f("obs_raw_hx_meta_vars_hx_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("obs_raw_hx_id", name=op.f("obs_raw_hx_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "ix_obs_raw_hx_history_id", "obs_raw_hx", ["history_id"], unique=False, schema=schema_name
    )
    op.create_index(
        "ix_obs_raw_hx_meta_history_hx_id",
        "obs_raw_hx",
        ["meta_history_hx_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_obs_raw_hx_meta_vars_hx_id",
        "obs_raw_hx",
        ["meta_vars_hx_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "ix_obs_raw_hx_mod_time", "obs_raw_hx", ["mod_time"], unique=False, schema=schema_name
    )
    op.create_index(
        "ix_obs_raw_hx_mod_user", "obs_raw_hx", ["mod_user"], unique=False, schema=schema_name
    )
    op.create_index(
        "ix_obs_raw_hx_obs_raw_id", "obs_raw_hx", ["obs_raw_id"], unique=False, schema=schema_name
    )
    op.create_index(
        "ix_obs_raw_hx_vars_id", "obs_raw_hx", ["vars_id"], unique=False, schema=schema_name
    )

    for table in HX_TABLES:
        grant_standard_privileges(schema_name, table)


def downgrade() -> None:
    op.drop_index("ix_obs_raw_hx_vars_id", table_name="obs_raw_hx", schema=schema_name)
    op.drop_index("ix_obs_raw_hx_obs_raw_id", table_name="obs_raw_hx", schema=schema_name)
    op.drop_index("ix_obs_raw_hx_mod_user", table_name="obs_raw_hx", schema=schema_name)
    op.drop_index("ix_obs_raw_hx_mod_time", table_name="obs_raw_hx", schema=schema_name)
    op.drop_index("ix_obs_raw_hx_meta_vars_hx_id", table_name="obs_raw_hx", schema=schema_name)
    op.drop_index("ix_obs_raw_hx_meta_history_hx_id", table_name="obs_raw_hx", schema=schema_name)
    op.drop_index("ix_obs_raw_hx_history_id", table_name="obs_raw_hx", schema=schema_name)
    op.drop_table("obs_raw_hx", schema=schema_name)
    op.drop_index("ix_meta_history_hx_station_id", table_name="meta_history_hx", schema=schema_name)
    op.drop_index("ix_meta_history_hx_mod_user", table_name="meta_history_hx", schema=schema_name)
    op.drop_index("ix_meta_history_hx_mod_time", table_name="meta_history_hx", schema=schema_name)
    op.drop_index(
        "ix_meta_history_hx_meta_station_hx_id", table_name="meta_history_hx", schema=schema_name
    )
    op.drop_index("ix_meta_history_hx_history_id", table_name="meta_history_hx", schema=schema_name)
    op.drop_table("meta_history_hx", schema=schema_name)
    op.drop_index("ix_meta_vars_hx_vars_id", table_name="meta_vars_hx", schema=schema_name)
    op.drop_index("ix_meta_vars_hx_network_id", table_name="meta_vars_hx", schema=schema_name)
    op.drop_index("ix_meta_vars_hx_mod_user", table_name="meta_vars_hx", schema=schema_name)
    op.drop_index("ix_meta_vars_hx_mod_time", table_name="meta_vars_hx", schema=schema_name)
    op.drop_index(
        "ix_meta_vars_hx_meta_network_hx_id", table_name="meta_vars_hx", schema=schema_name
    )
    op.drop_table("meta_vars_hx", schema=schema_name)
    op.drop_index("ix_meta_station_hx_station_id", table_name="meta_station_hx", schema=schema_name)
    op.drop_index("ix_meta_station_hx_network_id", table_name="meta_station_hx", schema=schema_name)
    op.drop_index("ix_meta_station_hx_mod_user", table_name="meta_station_hx", schema=schema_name)
    op.drop_index("ix_meta_station_hx_mod_time", table_name="meta_station_hx", schema=schema_name)
    op.drop_index(
        "ix_meta_station_hx_meta_network_hx_id", table_name="meta_station_hx", schema=schema_name
    )
    op.drop_table("meta_station_hx", schema=schema_name)
    op.drop_index("ix_meta_network_hx_network_id", table_name="meta_network_hx", schema=schema_name)
    op.drop_index("ix_meta_network_hx_mod_user", table_name="meta_network_hx", schema=schema_name)
    op.drop_index("ix_meta_network_hx_mod_time", table_name="meta_network_hx", schema=schema_name)
    op.drop_table("meta_network_hx", schema=schema_name)
