"""pycds: the ORM and Alembic migrations of PCIC's CRMP climate-observation database.

Importing ``pycds`` is cheap and has no side effects beyond reading configuration;
the ORM lives in :mod:`pycds.orm` and the functions, views, materialized views and
triggers in :mod:`pycds.replaceables`.
"""

from pycds.config import (
    ConfigurationError,
    get_schema_name,
    get_standard_table_privileges,
    get_su_role_name,
    validate_configuration,
)

__all__ = [
    "ConfigurationError",
    "get_schema_name",
    "get_standard_table_privileges",
    "get_su_role_name",
    "validate_configuration",
]
