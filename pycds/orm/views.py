"""Read-only ORM classes for the four views (and upstream's two matview names kept here).

The views are created by the migrations from :mod:`pycds.replaceables.views`; these classes
only read them (see :mod:`pycds.orm.view_base`). Column types are the real ones at head:
``the_geom`` is ``geometry(Geometry,4326)`` (upstream exposed bytea), ``native_id`` is
``varchar`` (upstream's class said Integer), ``net_var_name`` is ``citext``.

``CollapsedVariables`` and ``ObsCountPerMonthHistory`` were views once; upstream still
exports them from this module, so they are re-exported from
:mod:`pycds.orm.native_matviews`.
"""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT

from pycds.orm.native_matviews import CollapsedVariables, ObsCountPerMonthHistory
from pycds.orm.view_base import ViewBase, relation


def _geometry() -> Geometry:
    return Geometry("GEOMETRY", 4326, spatial_index=False)


_crmp_network_geoserver = relation(
    "crmp_network_geoserver",
    sa.Column("network_name", sa.String),
    sa.Column("native_id", sa.String),
    sa.Column("station_name", sa.String),
    sa.Column("lon", sa.Numeric),
    sa.Column("lat", sa.Numeric),
    sa.Column("elev", sa.Float),
    sa.Column("min_obs_time", sa.DateTime),
    sa.Column("max_obs_time", sa.DateTime),
    sa.Column("freq", sa.String),
    sa.Column("tz_offset", sa.Interval),
    sa.Column("province", sa.String),
    sa.Column("station_id", sa.Integer),
    sa.Column("history_id", sa.Integer),
    sa.Column("country", sa.String),
    sa.Column("comments", sa.String(255)),
    sa.Column("the_geom", _geometry()),
    sa.Column("sensor_id", sa.Integer),
    sa.Column("description", sa.String),
    sa.Column("network_id", sa.Integer),
    sa.Column("col_hex", sa.String),
    sa.Column("vars_ids", ARRAY(sa.Integer)),
    sa.Column("unique_variable_tags", ARRAY(sa.Text)),
    sa.Column("vars", sa.Text),
    sa.Column("display_names", sa.Text),
    identity=("history_id",),
)


class CrmpNetworkGeoserver(ViewBase, relation=_crmp_network_geoserver):
    """One row per history with its station, network and variables: GeoServer's layers."""


_history_join_station_network = relation(
    "history_join_station_network",
    sa.Column("network_id", sa.Integer),
    sa.Column("station_id", sa.Integer),
    sa.Column("history_id", sa.Integer),
    sa.Column("station_name", sa.String),
    sa.Column("lon", sa.Numeric),
    sa.Column("lat", sa.Numeric),
    sa.Column("elev", sa.Float),
    sa.Column("sdate", sa.Date),
    sa.Column("edate", sa.Date),
    sa.Column("tz_offset", sa.Interval),
    sa.Column("province", sa.String),
    sa.Column("country", sa.String),
    sa.Column("comments", sa.String(255)),
    sa.Column("the_geom", _geometry()),
    sa.Column("sensor_id", sa.Integer),
    sa.Column("native_id", sa.String),
    sa.Column("network_name", sa.String),
    sa.Column("description", sa.String),
    sa.Column("virtual", sa.String(255)),
    identity=("history_id",),
)


class HistoryStationNetwork(ViewBase, relation=_history_join_station_network):
    """Each history joined to its station and network."""


_obs_count_per_day = relation(
    "obs_count_per_day_history_v",
    sa.Column("count", sa.BigInteger),
    sa.Column("date_trunc", sa.DateTime),
    sa.Column("history_id", sa.Integer),
    identity=("date_trunc", "history_id"),
)


class ObsCountPerDayHistory(ViewBase, relation=_obs_count_per_day):
    """Number of observations per (day, history)."""


_obs_with_flags = relation(
    "obs_with_flags",
    sa.Column("vars_id", sa.Integer),
    sa.Column("network_id", sa.Integer),
    sa.Column("unit", sa.String),
    sa.Column("standard_name", sa.String),
    sa.Column("cell_method", sa.String),
    sa.Column("net_var_name", CITEXT),
    sa.Column("station_id", sa.Integer),
    sa.Column("obs_raw_id", sa.BigInteger),
    sa.Column("obs_time", sa.DateTime),
    sa.Column("mod_time", sa.DateTime),
    sa.Column("datum", sa.Float),
    identity=("obs_raw_id",),
)


class ObsWithFlags(ViewBase, relation=_obs_with_flags):
    """Each observation with its variable and station (despite the name, no flag columns)."""


__all__ = [
    "CollapsedVariables",
    "CrmpNetworkGeoserver",
    "HistoryStationNetwork",
    "ObsCountPerDayHistory",
    "ObsCountPerMonthHistory",
    "ObsWithFlags",
]
