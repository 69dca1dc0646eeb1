"""Core tables

The 13 base tables of the CRMP schema: metadata (networks, stations, histories,
variables, flags, contacts, sensors) and observations.

Revision ID: 7d2b9e4f1a60
Revises: 5a1e0c7b2d31
Create Date: 2026-11-25 08:19:22.974619

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from pycds import get_schema_name

# revision identifiers, used by Alembic.
revision: str = "7d2b9e4f1a60"
down_revision: str | Sequence[str] | None = "5a1e0c7b2d31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every object lives in the schema chosen at run time with PYCDS_SCHEMA_NAME.
schema_name = get_schema_name()


def upgrade() -> None:
    op.create_table(
        "meta_contact",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("organization", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("meta_contact_pkey")),
        schema=schema_name,
    )
    op.create_table(
        "meta_pcic_flag",
        sa.Column("pcic_flag_id", sa.Integer(), nullable=False),
        sa.Column("flag_name", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("discard", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("pcic_flag_id", name=op.f("meta_pcic_flag_pkey")),
        schema=schema_name,
    )
    op.create_table(
        "meta_sensor",
        sa.Column("sensor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("sensor_id", name=op.f("meta_sensor_pkey")),
        schema=schema_name,
    )
    op.create_table(
        "meta_network",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("network_name", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("virtual", sa.String(length=255), nullable=True),
        sa.Column("publish", sa.Boolean(), nullable=True),
        sa.Column("col_hex", sa.String(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("mod_time", sa.DateTime(), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "mod_user", sa.String(length=64), server_default=sa.text("CURRENT_USER"), nullable=False
        ),
        sa.Column("network_display_name", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            [f"{schema_name}.meta_contact.contact_id"],
            name=op.f("meta_network_contact_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("network_id", name=op.f("meta_network_pkey")),
        sa.UniqueConstraint("network_display_name", name="uq_meta_network_network_display_name"),
        schema=schema_name,
    )
    op.create_table(
        "meta_native_flag",
        sa.Column("native_flag_id", sa.Integer(), nullable=False),
        sa.Column("flag_name", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("discard", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"],
            [f"{schema_name}.meta_network.network_id"],
            name=op.f("meta_native_flag_network_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("native_flag_id", name=op.f("meta_native_flag_pkey")),
        sa.UniqueConstraint("network_id", "value", name="meta_native_flag_unique"),
        schema=schema_name,
    )
    op.create_table(
        "meta_station",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("native_id", sa.String(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("min_obs_time", sa.DateTime(), nullable=True),
        sa.Column("max_obs_time", sa.DateTime(), nullable=True),
        sa.Column("publish", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("mod_time", sa.DateTime(), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "mod_user", sa.String(length=64), server_default=sa.text("CURRENT_USER"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            [f"{schema_name}.meta_network.network_id"],
            name=op.f("meta_station_network_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("meta_station_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "fki_meta_station_network_id_fkey",
        "meta_station",
        ["network_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_table(
        "meta_vars",
        sa.Column("vars_id", sa.Integer(), nullable=False),
        sa.Column("net_var_name", postgresql.CITEXT(), nullable=True),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("standard_name", sa.String(), nullable=False),
        sa.Column("cell_method", sa.String(), nullable=False),
        sa.Column("precision", sa.Float(), nullable=True),
        sa.Column("long_description", sa.String(), nullable=True),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("short_name", sa.String(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("mod_time", sa.DateTime(), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "mod_user", sa.String(length=64), server_default=sa.text("CURRENT_USER"), nullable=False
        ),
        sa.CheckConstraint("cell_method !~ '[\\r\\n]'", name="cell_method_nolinebreak"),
        sa.CheckConstraint("display_name !~ '[\\r\\n]'", name="display_name_nolinebreak"),
        sa.CheckConstraint("long_description !~ '[\\r\\n]'", name="long_description_nolinebreak"),
        sa.CheckConstraint(
            "net_var_name ~ '^[a-zA-Z_][a-zA-Z0-9_$]*$'", name="ck_net_var_name_valid_identifier"
        ),
        sa.CheckConstraint("short_name !~ '[\\r\\n]'", name="short_name_nolinebreak"),
        sa.CheckConstraint("standard_name !~ '[\\r\\n]'", name="standard_name_nolinebreak"),
        sa.CheckConstraint("unit !~ '[\\r\\n]'", name="unit_nolinebreak"),
        sa.ForeignKeyConstraint(
            ["network_id"],
            [f"{schema_name}.meta_network.network_id"],
            name=op.f("meta_vars_network_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("vars_id", name=op.f("meta_vars_pkey")),
        sa.UniqueConstraint("network_id", "net_var_name", name="network_variable_name_unique"),
        schema=schema_name,
    )
    op.create_index(
        "fki_meta_vars_network_id_fkey",
        "meta_vars",
        ["network_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_table(
        "meta_history",
        sa.Column("history_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("station_name", sa.String(), nullable=True),
        sa.Column("lon", sa.Numeric(), nullable=True),
        sa.Column("lat", sa.Numeric(), nullable=True),
        sa.Column("elev", sa.Float(), nullable=True),
        sa.Column("sdate", sa.Date(), nullable=True),
        sa.Column("edate", sa.Date(), nullable=True),
        sa.Column("tz_offset", sa.Interval(), nullable=True),
        sa.Column("province", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("comments", sa.String(length=255), nullable=True),
        sa.Column("freq", sa.String(), nullable=True),
        sa.Column("sensor_id", sa.Integer(), nullable=True),
        sa.Column(
            "the_geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("mod_time", sa.DateTime(), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "mod_user", sa.String(length=64), server_default=sa.text("CURRENT_USER"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            [f"{schema_name}.meta_sensor.sensor_id"],
            name=op.f("meta_history_sensor_id_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            [f"{schema_name}.meta_station.station_id"],
            name=op.f("meta_history_station_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("history_id", name=op.f("meta_history_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "fki_meta_history_station_id_fk",
        "meta_history",
        ["station_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "idx_meta_history_the_geom",
        "meta_history",
        ["the_geom"],
        unique=False,
        schema=schema_name,
        postgresql_using="gist",
    )
    op.create_index(
        "meta_history_freq_idx", "meta_history", ["freq"], unique=False, schema=schema_name
    )
    op.create_table(
        "obs_derived_values",
        sa.Column("obs_derived_value_id", sa.Integer(), nullable=False),
        sa.Column("value_time", sa.DateTime(), nullable=True),
        sa.Column("mod_time", sa.DateTime(), nullable=False),
        sa.Column("datum", sa.Float(), nullable=True),
        sa.Column("vars_id", sa.Integer(), nullable=True),
        sa.Column("history_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["history_id"],
            [f"{schema_name}.meta_history.history_id"],
            name=op.f("obs_derived_values_history_id_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["vars_id"],
            [f"{schema_name}.meta_vars.vars_id"],
            name=op.f("obs_derived_values_vars_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("obs_derived_value_id", name=op.f("obs_derived_values_pkey")),
        sa.UniqueConstraint(
            "value_time",
            "history_id",
            "vars_id",
            name="obs_derived_value_time_place_variable_unique",
        ),
        schema=schema_name,
    )
    op.create_table(
        "obs_raw",
        sa.Column("obs_raw_id", sa.BigInteger(), nullable=False),
        sa.Column("obs_time", sa.DateTime(), nullable=True),
        sa.Column("mod_time", sa.DateTime(), nullable=False),
        sa.Column("datum", sa.Float(), nullable=True),
        sa.Column("vars_id", sa.Integer(), nullable=True),
        sa.Column("history_id", sa.Integer(), nullable=True),
        sa.Column(
            "mod_user", sa.String(length=64), server_default=sa.text("CURRENT_USER"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["history_id"],
            [f"{schema_name}.meta_history.history_id"],
            name=op.f("obs_raw_history_id_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["vars_id"], [f"{schema_name}.meta_vars.vars_id"], name=op.f("obs_raw_vars_id_fkey")
        ),
        sa.PrimaryKeyConstraint("obs_raw_id", name=op.f("obs_raw_pkey")),
        sa.UniqueConstraint("obs_time", "history_id", "vars_id", name="time_place_variable_unique"),
        schema=schema_name,
    )
    op.create_index("mod_time_idx", "obs_raw", ["mod_time"], unique=False, schema=schema_name)
    op.create_index(
        "obs_raw_comp_idx",
        "obs_raw",
        ["obs_time", "vars_id", "history_id"],
        unique=False,
        schema=schema_name,
    )
    op.create_index(
        "obs_raw_history_id_idx", "obs_raw", ["history_id"], unique=False, schema=schema_name
    )
    op.create_index(
        "obs_raw_history_obs_time_idx",
        "obs_raw",
        ["history_id", "obs_time"],
        unique=False,
        schema=schema_name,
    )
    op.create_index("obs_raw_id_idx", "obs_raw", ["obs_raw_id"], unique=False, schema=schema_name)
    op.create_table(
        "obs_raw_native_flags",
        sa.Column("obs_raw_id", sa.BigInteger(), nullable=False),
        sa.Column("native_flag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["native_flag_id"],
            [f"{schema_name}.meta_native_flag.native_flag_id"],
            name=op.f("obs_raw_native_flags_native_flag_id_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["obs_raw_id"],
            [f"{schema_name}.obs_raw.obs_raw_id"],
            name=op.f("obs_raw_native_flags_obs_raw_id_fkey"),
        ),
        sa.PrimaryKeyConstraint(
            "obs_raw_id", "native_flag_id", name=op.f("obs_raw_native_flags_pkey")
        ),
        schema=schema_name,
    )
    op.create_index(
        "flag_index", "obs_raw_native_flags", ["obs_raw_id"], unique=False, schema=schema_name
    )
    op.create_table(
        "obs_raw_pcic_flags",
        sa.Column("obs_raw_id", sa.BigInteger(), nullable=False),
        sa.Column("pcic_flag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["obs_raw_id"],
            [f"{schema_name}.obs_raw.obs_raw_id"],
            name=op.f("obs_raw_pcic_flags_obs_raw_id_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["pcic_flag_id"],
            [f"{schema_name}.meta_pcic_flag.pcic_flag_id"],
            name=op.f("obs_raw_pcic_flags_pcic_flag_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("obs_raw_id", "pcic_flag_id", name=op.f("obs_raw_pcic_flags_pkey")),
        schema=schema_name,
    )
    op.create_index(
        "pcic_flag_index", "obs_raw_pcic_flags", ["obs_raw_id"], unique=False, schema=schema_name
    )
    op.create_table(
        "time_bounds",
        sa.Column("obs_raw_id", sa.BigInteger(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=True),
        sa.Column("end", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["obs_raw_id"],
            [f"{schema_name}.obs_raw.obs_raw_id"],
            name=op.f("time_bounds_obs_raw_id_fkey"),
        ),
        sa.PrimaryKeyConstraint("obs_raw_id", name=op.f("time_bounds_pkey")),
        schema=schema_name,
    )


def downgrade() -> None:
    op.drop_table("time_bounds", schema=schema_name)
    op.drop_index("pcic_flag_index", table_name="obs_raw_pcic_flags", schema=schema_name)
    op.drop_table("obs_raw_pcic_flags", schema=schema_name)
    op.drop_index("flag_index", table_name="obs_raw_native_flags", schema=schema_name)
    op.drop_table("obs_raw_native_flags", schema=schema_name)
    op.drop_index("obs_raw_id_idx", table_name="obs_raw", schema=schema_name)
    op.drop_index("obs_raw_history_obs_time_idx", table_name="obs_raw", schema=schema_name)
    op.drop_index("obs_raw_history_id_idx", table_name="obs_raw", schema=schema_name)
    op.drop_index("obs_raw_comp_idx", table_name="obs_raw", schema=schema_name)
    op.drop_index("mod_time_idx", table_name="obs_raw", schema=schema_name)
    op.drop_table("obs_raw", schema=schema_name)
    op.drop_table("obs_derived_values", schema=schema_name)
    op.drop_index("meta_history_freq_idx", table_name="meta_history", schema=schema_name)
    op.drop_index(
        "idx_meta_history_the_geom",
        table_name="meta_history",
        schema=schema_name,
        postgresql_using="gist",
    )
    op.drop_index("fki_meta_history_station_id_fk", table_name="meta_history", schema=schema_name)
    op.drop_table("meta_history", schema=schema_name)
    op.drop_index("fki_meta_vars_network_id_fkey", table_name="meta_vars", schema=schema_name)
    op.drop_table("meta_vars", schema=schema_name)
    op.drop_index("fki_meta_station_network_id_fkey", table_name="meta_station", schema=schema_name)
    op.drop_table("meta_station", schema=schema_name)
    op.drop_table("meta_native_flag", schema=schema_name)
    op.drop_table("meta_network", schema=schema_name)
    op.drop_table("meta_sensor", schema=schema_name)
    op.drop_table("meta_pcic_flag", schema=schema_name)
    op.drop_table("meta_contact", schema=schema_name)
