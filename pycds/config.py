"""Runtime configuration of pycds, read from the environment.

Every value that ends up in SQL is validated here, once, so that no later code has to
quote or escape it: a schema or role name is accepted only if it is a plain, unquoted
PostgreSQL identifier.
"""

from __future__ import annotations

import os
import re

DEFAULT_SCHEMA_NAME = "crmp"
DEFAULT_SU_ROLE_NAME = "pcicdba"
DEFAULT_STANDARD_TABLE_PRIVS = "inspector: SELECT; viewer: SELECT; steward: ALL"

# A plain identifier: what PostgreSQL accepts unquoted and keeps as written (lower case),
# at most NAMEDATALEN - 1 = 63 bytes long.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]{0,62}")
_PRIVILEGES = {
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
    "ALL",
}


class ConfigurationError(ValueError):
    """A configuration value is unusable. Its message is one line, fit for a user."""


def plain_identifier(variable: str, value: str) -> str:
    """``value`` if it is a plain PostgreSQL identifier, else a one-line error naming ``variable``.

    Such a name can be written into SQL as it is: nothing to quote or escape.
    """
    if not _IDENTIFIER.fullmatch(value):
        raise ConfigurationError(
            f"{variable}={value!r} is not a plain PostgreSQL identifier "
            "(lower-case letter or underscore, then letters, digits, '_' or '$'; at most 63)"
        )
    return value


def get_schema_name() -> str:
    """The schema holding every pycds object: ``PYCDS_SCHEMA_NAME``, default ``crmp``."""
    return plain_identifier(
        "PYCDS_SCHEMA_NAME", os.environ.get("PYCDS_SCHEMA_NAME", DEFAULT_SCHEMA_NAME)
    )


def get_su_role_name() -> str:
    """The role assumed with ``SET ROLE`` for privileged steps: ``PYCDS_SU_ROLE_NAME``."""
    return plain_identifier(
        "PYCDS_SU_ROLE_NAME", os.environ.get("PYCDS_SU_ROLE_NAME", DEFAULT_SU_ROLE_NAME)
    )


def get_standard_table_privileges() -> list[tuple[str, list[str]]]:
    """Parse ``PYCDS_STANDARD_TABLE_PRIVS`` into ``[(role, [privilege, ...]), ...]``.

    These privileges are granted on every view, materialized view and history table that
    migrations create.
    """
    return parse_standard_table_privileges(
        os.environ.get("PYCDS_STANDARD_TABLE_PRIVS", DEFAULT_STANDARD_TABLE_PRIVS)
    )


def parse_standard_table_privileges(raw: str) -> list[tuple[str, list[str]]]:
    """Parse a privilege spec into ``[(role, [privilege, ...]), ...]``.

    Grammar: ``role: priv[, priv...]`` entries separated by ``;``; whitespace around tokens
    is insignificant.
    """
    result: list[tuple[str, list[str]]] = []
    for entry in filter(None, (part.strip() for part in raw.split(";"))):
        role, sep, privs = entry.partition(":")
        if not sep:
            raise ConfigurationError(f"PYCDS_STANDARD_TABLE_PRIVS: {entry!r} is not 'role: privs'")
        names = [p.strip().upper() for p in privs.split(",") if p.strip()]
        unknown = [p for p in names if p not in _PRIVILEGES]
        if not names or unknown:
            raise ConfigurationError(
                f"PYCDS_STANDARD_TABLE_PRIVS: bad privileges {privs.strip()!r} for role {role!r}"
            )
        result.append((plain_identifier("PYCDS_STANDARD_TABLE_PRIVS role", role.strip()), names))
    return result
