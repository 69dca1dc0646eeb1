"""Upstream's ``pycds.manage_views``: create or refresh the weather-anomaly matviews.

``manage_views(session, "refresh", "all")`` refreshes the daily matviews, then the monthly
averages that read them. Refresh ``discarded_obs_raw_mv`` first when flags have changed
(``session.execute(DiscardedObsRaw.refresh())``).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from pycds.orm.native_matviews import (
    DailyMaxTemperature,
    DailyMinTemperature,
    MonthlyAverageOfDailyMaxTemperature,
    MonthlyAverageOfDailyMinTemperature,
)
from pycds.orm.view_base import ReplaceableOrmClass

daily_views = [DailyMaxTemperature, DailyMinTemperature]
monthly_views = [MonthlyAverageOfDailyMaxTemperature, MonthlyAverageOfDailyMinTemperature]

logger = logging.getLogger(__name__)

_SETS = {"daily": daily_views, "monthly-only": monthly_views, "all": daily_views + monthly_views}
_OPERATIONS = ("create", "drop", "refresh")


def manage_views(session: Session, operation: str, which_set: str) -> None:
    """Apply ``operation`` (``create``, ``drop`` or ``refresh``) to a set of matviews.

    ``which_set``: ``daily``, ``monthly-only`` or ``all`` (daily first: monthly reads daily).
    """
    if operation not in _OPERATIONS:
        raise ValueError(f"operation must be one of {', '.join(_OPERATIONS)}, not {operation!r}")
    if which_set not in _SETS:
        raise ValueError(f"which_set must be one of {', '.join(_SETS)}, not {which_set!r}")
    views = _SETS[which_set]
    for view in reversed(views) if operation == "drop" else views:
        if issubclass(view, ReplaceableOrmClass):
            logger.info(f"{operation.capitalize()} '{view.qualified_name()}'")
            session.execute(getattr(view, operation)())


__all__ = ["daily_views", "manage_views", "monthly_views"]
