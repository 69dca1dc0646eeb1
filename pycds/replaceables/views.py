"""The four plain views of the CRMP schema.

Differences from the upstream definitions (crmp-facts section 7): ``the_geom`` is exposed as
``geometry(Geometry,4326)`` (upstream compiled it to bytea through ``ST_AsEWKB``), joins are
explicit (no NATURAL JOIN, which would also match mod_time/mod_user), and every relation is
schema-qualified.

``crmp_network_geoserver`` reads two materialized views, so it must be created after them
and dropped before either is rebuilt; :func:`views_on_matviews` lists it separately.
"""

from __future__ import annotations

import re

from alembic_utils.pg_view import PGView

from pycds.replaceables._schema import resolve_schema


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


def _crmp_network_geoserver(s: str) -> PGView:
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


def views_on_tables(schema: str | None = None) -> list[PGView]:
    """The views that read only tables (can be created as soon as the tables exist)."""
    s = resolve_schema(schema)
    return [_history_join_station_network(s), _obs_count_per_day_history_v(s), _obs_with_flags(s)]


def views_on_matviews(schema: str | None = None) -> list[PGView]:
    """The views that read materialized views: create after, drop before rebuilding those."""
    return [_crmp_network_geoserver(resolve_schema(schema))]


def views(schema: str | None = None) -> list[PGView]:
    """All four views; the last one needs the matviews to exist."""
    return [*views_on_tables(schema), *views_on_matviews(schema)]


_AS = re.compile(r"\bAS\s+(\w+)\s*$", re.IGNORECASE)


def output_columns(view: PGView) -> list[str]:
    """The column names of ``view``, read from its select list.

    The definitions here are written ``SELECT <items> FROM ...``; an item is named by its
    ``AS`` alias, else by its last dotted part (``h.lon`` -> ``lon``). Commas inside
    parentheses do not separate items.
    """
    items_text = re.split(r"\bFROM\b", view.definition.split("SELECT", 1)[1], maxsplit=1)[0]
    items, depth, current = [], 0, []
    for char in items_text:
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current.append(char)
    items.append("".join(current))
    names = []
    for item in (i.strip() for i in items):
        alias = _AS.search(item)
        names.append(alias.group(1) if alias else item.rsplit(".", 1)[-1])
    return names
