"""meta_network: the display name defaults to the name, and the name cannot change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from .seed import insert


def display_name(conn: sa.Connection, s: str, network_id: int) -> str | None:
    sql = f"SELECT network_display_name FROM {s}.meta_network WHERE network_id = :id"
    return conn.execute(sa.text(sql), {"id": network_id}).scalar_one()


def test_display_name_defaults_to_network_name(conn: sa.Connection, schema: str) -> None:
    defaulted = insert(conn, schema, "meta_network", "network_id", network_name="BCH")
    explicit = insert(
        conn,
        schema,
        "meta_network",
        "network_id",
        network_name="MoTI",
        network_display_name="Ministry of Transportation",
    )
    assert display_name(conn, schema, defaulted) == "BCH"
    assert display_name(conn, schema, explicit) == "Ministry of Transportation"
    # The history copy is taken after the default is filled (trigger name order).
    hx = conn.execute(
        sa.text(
            f"SELECT network_display_name FROM {schema}.meta_network_hx WHERE network_id = :id"
        ),
        {"id": defaulted},
    ).scalar_one()
    assert hx == "BCH"


def test_display_name_can_change_but_name_cannot(conn: sa.Connection, schema: str) -> None:
    network_id = insert(conn, schema, "meta_network", "network_id", network_name="EC")
    conn.execute(
        sa.text(
            f"UPDATE {schema}.meta_network"
            " SET network_display_name = 'Environment Canada', description = 'x'"
            " WHERE network_id = :id"
        ),
        {"id": network_id},
    )
    assert display_name(conn, schema, network_id) == "Environment Canada"

    savepoint = conn.begin_nested()
    with pytest.raises(sa.exc.IntegrityError, match="cannot be changed"):
        conn.execute(
            sa.text(
                f"UPDATE {schema}.meta_network SET network_name = 'ECCC' WHERE network_id = :id"
            ),
            {"id": network_id},
        )
    savepoint.rollback()
    name = conn.execute(
        sa.text(f"SELECT network_name FROM {schema}.meta_network WHERE network_id = :id"),
        {"id": network_id},
    ).scalar_one()
    assert name == "EC"
