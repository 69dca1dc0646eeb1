"""History tracking writes _hx rows on every change, with a default search_path."""

from __future__ import annotations

import sqlalchemy as sa

from pycds.replaceables import HISTORY_TRACKED, HX_FOREIGN_KEYS

from .seed import observe, seed


def hx_rows(conn: sa.Connection, s: str, table: str, where: str = "true") -> list[sa.Row]:
    sql = f"SELECT * FROM {s}.{table}_hx WHERE {where} ORDER BY {table}_hx_id"
    return list(conn.execute(sa.text(sql)))


def test_insert_update_delete_append_history(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    conn.execute(
        sa.text(f"UPDATE {s}.meta_station SET native_id = 'X9' WHERE station_id = :id"),
        {"id": data.station_id},
    )
    conn.execute(
        sa.text(f"DELETE FROM {s}.meta_history WHERE history_id = :id"),
        {"id": data.hourly_history_id},
    )

    stations = hx_rows(conn, s, "meta_station")
    assert [(r.native_id, r.deleted) for r in stations] == [("1100031", False), ("X9", False)]

    histories = hx_rows(conn, s, "meta_history", f"history_id = {data.hourly_history_id}")
    assert [r.deleted for r in histories] == [False, True]
    inserted, deleted = histories
    # The deletion record is a copy of the deleted row, freshly stamped.
    assert deleted.freq == inserted.freq == "1-hourly"
    assert deleted.mod_time >= inserted.mod_time
    assert (
        conn.execute(
            sa.text(f"SELECT count(*) FROM {s}.meta_history WHERE history_id = :id"),
            {"id": data.hourly_history_id},
        ).scalar_one()
        == 0
    )


def test_mod_time_and_mod_user_are_forced(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    obs_id = observe(conn, s, data.daily_history_id, data.tmax_id, "2020-01-01", 1.0)
    row = conn.execute(
        sa.text(
            f"SELECT o.mod_time, o.mod_user, h.mod_time AS hx_time, h.mod_user AS hx_user,"
            f" localtimestamp AS now, current_user AS me"
            f" FROM {s}.obs_raw o JOIN {s}.obs_raw_hx h USING (obs_raw_id)"
            f" WHERE o.obs_raw_id = :id"
        ),
        {"id": obs_id},
    ).one()
    # The observation was inserted with mod_time 2000-01-01; the trigger replaced it.
    assert row.mod_time == row.hx_time == row.now
    assert row.mod_user == row.hx_user == row.me


def test_foreign_hx_ids_point_at_latest_versions(conn: sa.Connection, schema: str) -> None:
    s = schema
    data = seed(conn, s)
    # A second version of the variable and of the history before the observation arrives.
    conn.execute(
        sa.text(f"UPDATE {s}.meta_vars SET unit = 'celsius' WHERE vars_id = :id"),
        {"id": data.tmax_id},
    )
    conn.execute(
        sa.text(f"UPDATE {s}.meta_history SET elev = 10 WHERE history_id = :id"),
        {"id": data.daily_history_id},
    )
    obs_id = observe(conn, s, data.daily_history_id, data.tmax_id, "2020-01-01", 1.0)

    (obs_hx,) = hx_rows(conn, s, "obs_raw", f"obs_raw_id = {obs_id}")
    latest_vars = max(r.meta_vars_hx_id for r in hx_rows(conn, s, "meta_vars"))
    latest_history = max(
        r.meta_history_hx_id
        for r in hx_rows(conn, s, "meta_history", f"history_id = {data.daily_history_id}")
    )
    assert (obs_hx.meta_vars_hx_id, obs_hx.meta_history_hx_id) == (latest_vars, latest_history)
    tmax_versions = hx_rows(conn, s, "meta_vars", f"vars_id = {data.tmax_id}")
    assert tmax_versions[-1].meta_vars_hx_id == latest_vars
    assert tmax_versions[-1].unit == "celsius"

    network_hx_id = hx_rows(conn, s, "meta_network")[-1].meta_network_hx_id
    (station_hx,) = hx_rows(conn, s, "meta_station")
    assert station_hx.meta_network_hx_id == network_hx_id


def test_every_tracked_table_has_both_triggers(conn: sa.Connection, schema: str) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE c.relnamespace = CAST(:s AS regnamespace) AND NOT t.tgisinternal"
            " AND t.tgname LIKE 't100%'"
        ),
        {"s": schema},
    )
    found = {(r.relname, r.tgname) for r in rows}
    expected = {(t, "t100_primary_control_hx_cols") for t in HISTORY_TRACKED}
    expected |= {(t, "t100_primary_ops_to_hx") for t in HISTORY_TRACKED}
    # meta_network_hx has no foreign hx ids, hence no trigger.
    with_foreign = [t for t in HISTORY_TRACKED if HX_FOREIGN_KEYS[t]]
    expected |= {(f"{t}_hx", "t100_add_foreign_hx_keys") for t in with_foreign}
    assert found == expected


def test_skipped_conflicting_insert_writes_no_history(conn: sa.Connection, schema: str) -> None:
    """crmprtd inserts with ON CONFLICT DO NOTHING: a skipped duplicate leaves no hx row."""
    s = schema
    data = seed(conn, s)
    observe(conn, s, data.daily_history_id, data.tmax_id, "2020-01-01", 1.0)
    skipped = conn.execute(
        sa.text(
            f"INSERT INTO {s}.obs_raw (obs_time, history_id, vars_id, datum, mod_time)"
            " VALUES ('2020-01-01', :h, :v, 2.0, now())"
            " ON CONFLICT ON CONSTRAINT time_place_variable_unique DO NOTHING"
        ),
        {"h": data.daily_history_id, "v": data.tmax_id},
    )
    assert skipped.rowcount == 0
    assert [r.datum for r in hx_rows(conn, s, "obs_raw")] == [1.0]
