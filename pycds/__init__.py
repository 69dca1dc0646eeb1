"""pycds: the ORM and Alembic migrations of PCIC's CRMP climate-observation database.

Every name upstream PyCDS 5.0.1 exports from ``pycds`` is available here with the same
meaning (``from pycds import Network, Station, History, Variable, Obs, Base``...): the
mapped tables, the five history classes, the read-only view and matview classes,
``schema_func`` and ``variable_tags``. They are loaded on first use, so importing ``pycds``
stays cheap and reads only the configuration. The ORM lives in :mod:`pycds.orm`; functions,
views, materialized views and triggers as alembic-utils entities in :mod:`pycds.replaceables`.
"""

from __future__ import annotations

import importlib

from pycds.config import (
    ConfigurationError,
    get_schema_name,
    get_standard_table_privileges,
    get_su_role_name,
    validate_configuration,
)

# Exported name -> module that defines it.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Base",
            "Contact",
            "DerivedValue",
            "History",
            "MetaSensor",
            "NativeFlag",
            "Network",
            "Obs",
            "ObsRawNativeFlags",
            "ObsRawPCICFlags",
            "PCICFlag",
            "Station",
            "TimeBound",
            "Variable",
        ),
        "pycds.orm.tables",
    ),
    **dict.fromkeys(
        ("HistoryHistory", "NetworkHistory", "ObsHistory", "StationHistory", "VariableHistory"),
        "pycds.orm.history_classes",
    ),
    **dict.fromkeys(
        ("CrmpNetworkGeoserver", "HistoryStationNetwork", "ObsCountPerDayHistory", "ObsWithFlags"),
        "pycds.orm.views",
    ),
    **dict.fromkeys(
        (
            "ClimoObsCount",
            "CollapsedVariables",
            "DailyMaxTemperature",
            "DailyMinTemperature",
            "MonthlyAverageOfDailyMaxTemperature",
            "MonthlyAverageOfDailyMinTemperature",
            "MonthlyTotalPrecipitation",
            "ObsCountPerMonthHistory",
            "StationObservationStats",
            "VarsPerHistory",
        ),
        "pycds.orm.native_matviews",
    ),
    "schema_func": "pycds.util",
    "variable_tags": "pycds.util",
}
# Modules upstream's ``pycds`` exposes as attributes.
_MODULES = {
    "alembic": "pycds.alembic",
    "context": "pycds.context",
    "database": "pycds.database",
    "orm": "pycds.orm",
    "util": "pycds.util",
    "sqlalchemy": "sqlalchemy",
}


def __getattr__(name: str) -> object:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_MODULES})


__all__ = [
    "ConfigurationError",
    "get_schema_name",
    "get_standard_table_privileges",
    "get_su_role_name",
    "validate_configuration",
    *sorted(_LAZY),
]
