"""The SQLAlchemy ORM of the CRMP schema at head: 13 base tables and 5 history tables.

Every table lives in the schema given by ``PYCDS_SCHEMA_NAME`` (read at import time).
"""

from pycds.orm.base import Base, metadata
from pycds.orm.history import HISTORY_TRACKED, HX_FOREIGN_KEYS, hx_id_name, hx_table_name, hx_tables
from pycds.orm.tables import (
    Contact,
    DerivedValue,
    History,
    MetaSensor,
    NativeFlag,
    Network,
    Obs,
    PCICFlag,
    Station,
    TimeBound,
    Variable,
    obs_raw_native_flags,
    obs_raw_pcic_flags,
)

__all__ = [
    "HISTORY_TRACKED",
    "HX_FOREIGN_KEYS",
    "Base",
    "Contact",
    "DerivedValue",
    "History",
    "MetaSensor",
    "NativeFlag",
    "Network",
    "Obs",
    "PCICFlag",
    "Station",
    "TimeBound",
    "Variable",
    "hx_id_name",
    "hx_table_name",
    "hx_tables",
    "metadata",
    "obs_raw_native_flags",
    "obs_raw_pcic_flags",
]
