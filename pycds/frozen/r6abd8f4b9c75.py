"""The views revision 6abd8f4b9c75 creates, frozen: ``the_geom`` as geometry, explicit joins.

``crmp_network_geoserver`` reads two matviews: revision 7bce9a5cad86 drops it and creates it
again from here around its rebuild of the matviews. Never edit these to follow the head
(``pycds.replaceables``); add a revision.
"""

from __future__ import annotations

from alembic_utils.pg_view import PGView


def _history_join_station_network(s: str) -> PGView:
    return PGView(
        schema=s,
        signature="history_join_station_network",
        definition=f"""SELECT n.network_id, st.station_id, h.history_id, h.station_name, h.lon,
    h.lat, h.elev, h.sdate, h.edate, h.tz_offset, h.province, h.country, h.comments,
    h.the_geom, h.sensor_id, st.native_id, n.network_name, n.description, n.virtual
FROM {s}.meta_history AS h
JOIN {s}.meta_station AS st ON st.station_id = h.station_id
JOIN {s}.meta_network AS n ON n.network_id = st.network_id""",
    )


def _obs_count_per_day_history_v(s: str) -> PGView:
    return PGView(
        schema=s,
        signature="obs_count_per_day_history_v",
        definition=f"""SELECT count(*) AS count, date_trunc('day', o.obs_time) AS date_trunc,
    o.history_id
FROM {s}.obs_raw AS o
GROUP BY date_trunc('day', o.obs_time), o.history_id""",
    )


def _obs_with_flags(s: str) -> PGView:
    # Despite its name this view has never had flag columns; clients depend on its shape.
    return PGView(
        schema=s,
        signature="obs_with_flags",
        definition=f"""SELECT v.vars_id, v.network_id, v.unit, v.standard_name, v.cell_method,
    v.net_var_name, h.station_id, o.obs_raw_id, o.obs_time, o.mod_time, o.datum
FROM {s}.obs_raw AS o
JOIN {s}.meta_vars AS v ON v.vars_id = o.vars_id
JOIN {s}.meta_history AS h ON h.history_id = o.history_id""",
    )


def crmp_network_geoserver(s: str) -> PGView:
    # One row per history: the source of GeoServer's station layers.
    return PGView(
        schema=s,
        signature="crmp_network_geoserver",
        definition=f"""SELECT n.network_name, st.native_id, h.station_name, h.lon, h.lat, h.elev,
    stats.min_obs_time, stats.max_obs_time, h.freq, h.tz_offset, h.province, st.station_id,
    h.history_id, h.country, h.comments, h.the_geom, h.sensor_id, n.description,
    n.network_id, n.col_hex, cv.vars_ids, cv.unique_variable_tags, cv.vars, cv.display_names
FROM {s}.meta_history AS h
JOIN {s}.meta_station AS st ON st.station_id = h.station_id
JOIN {s}.meta_network AS n ON n.network_id = st.network_id
LEFT JOIN {s}.collapsed_vars_mv AS cv ON cv.history_id = h.history_id
LEFT JOIN {s}.station_obs_stats_mv AS stats ON stats.history_id = h.history_id""",
    )


def views(s: str) -> list[PGView]:
    """All four, in creation order (the last reads matviews)."""
    return [
        _history_join_station_network(s),
        _obs_count_per_day_history_v(s),
        _obs_with_flags(s),
        crmp_network_geoserver(s),
    ]
