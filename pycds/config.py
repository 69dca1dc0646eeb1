"""Runtime configuration of pycds, read from the environment.

Every value that ends up in SQL is validated here, once, so that no later code has to
quote or escape it: a schema or role name is accepted only if it is a plain, unquoted
PostgreSQL identifier that PostgreSQL would also accept in that place. Commands call
:func:`validate_configuration` at start-up, so a bad value fails before anything runs.

Refused, beyond the identifier grammar:

- reserved SQL key words (SQLAlchemy's list for the PostgreSQL dialect), which cannot be
  written unquoted (``select``, ``user``, ``current_user``...);
- the ``pg_`` prefix, which PostgreSQL reserves for system schemas and roles;
- as a role: ``public`` and ``none`` (PostgreSQL refuses to create roles of these names);
- as the grantee of the standard privileges: ``public``, i.e. every role, unless
  ``PYCDS_ALLOW_PUBLIC_GRANTS`` is set to ``true``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

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
# Role names PostgreSQL reserves beyond the key words (CREATE ROLE refuses them).
_RESERVED_ROLE_NAMES = frozenset({"public", "none"})
_PUBLIC = "public"
_ALLOW_PUBLIC_VARIABLE = "PYCDS_ALLOW_PUBLIC_GRANTS"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class ConfigurationError(ValueError):
    """A configuration value is unusable. Its message is one line, fit for a user."""


def plain_identifier(variable: str, value: str) -> str:
    """``value`` if it is a plain PostgreSQL identifier, else a one-line error naming ``variable``.

    Such a name can be written into SQL as it is: nothing to quote or escape. Reserved key
    words and the ``pg_`` prefix are refused too.
    """
    if not _IDENTIFIER.fullmatch(value):
        raise ConfigurationError(
            f"{variable}={value!r} is not a plain PostgreSQL identifier "
            "(lower-case letter or underscore, then letters, digits, '_' or '$'; at most 63)"
        )
    # SQLAlchemy's list of PostgreSQL's reserved key words (imported here: pycds stays cheap).
    from sqlalchemy.dialects.postgresql.base import RESERVED_WORDS

    if value in RESERVED_WORDS:
        raise ConfigurationError(
            f"{variable}={value!r} is a reserved SQL key word in PostgreSQL; choose another name"
        )
    if value.startswith("pg_"):
        raise ConfigurationError(
            f"{variable}={value!r}: the prefix 'pg_' is reserved for PostgreSQL's own objects"
        )
    return value


def role_name(variable: str, value: str) -> str:
    """``value`` if it can name a real role: a plain identifier, not ``public`` or ``none``."""
    plain_identifier(variable, value)
    if value in _RESERVED_ROLE_NAMES:
        raise ConfigurationError(
            f"{variable}={value!r} is not a role but a reserved name in PostgreSQL; "
            "name a real role"
        )
    return value


def get_schema_name() -> str:
    """The schema holding every pycds object: ``PYCDS_SCHEMA_NAME``, default ``crmp``."""
    return plain_identifier(
        "PYCDS_SCHEMA_NAME", os.environ.get("PYCDS_SCHEMA_NAME", DEFAULT_SCHEMA_NAME)
    )


def get_su_role_name() -> str:
    """The role assumed with ``SET ROLE`` for privileged steps: ``PYCDS_SU_ROLE_NAME``."""
    return role_name(
        "PYCDS_SU_ROLE_NAME", os.environ.get("PYCDS_SU_ROLE_NAME", DEFAULT_SU_ROLE_NAME)
    )


def public_grants_allowed() -> bool:
    """Whether ``PYCDS_ALLOW_PUBLIC_GRANTS`` opts in to granting privileges to ``public``."""
    raw = os.environ.get(_ALLOW_PUBLIC_VARIABLE, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigurationError(f"{_ALLOW_PUBLIC_VARIABLE}={raw!r}: expected true or false")


def get_standard_table_privileges() -> list[tuple[str, list[str]]]:
    """Parse ``PYCDS_STANDARD_TABLE_PRIVS`` into ``[(role, [privilege, ...]), ...]``.

    These privileges are granted on every view, materialized view and history table that
    migrations create.
    """
    return parse_standard_table_privileges(
        os.environ.get("PYCDS_STANDARD_TABLE_PRIVS", DEFAULT_STANDARD_TABLE_PRIVS)
    )


def parse_standard_table_privileges(
    raw: str, variable: str = "PYCDS_STANDARD_TABLE_PRIVS"
) -> list[tuple[str, list[str]]]:
    """Parse a privilege spec into ``[(role, [privilege, ...]), ...]``.

    Grammar: ``role: priv[, priv...]`` entries separated by ``;``; whitespace around tokens
    is insignificant. The role ``public`` (every role) is refused unless
    ``PYCDS_ALLOW_PUBLIC_GRANTS=true``.
    """
    result: list[tuple[str, list[str]]] = []
    for entry in filter(None, (part.strip() for part in raw.split(";"))):
        role, sep, privs = entry.partition(":")
        if not sep:
            raise ConfigurationError(f"{variable}: {entry!r} is not 'role: privs'")
        names = [p.strip().upper() for p in privs.split(",") if p.strip()]
        unknown = [p for p in names if p not in _PRIVILEGES]
        if not names or unknown:
            raise ConfigurationError(
                f"{variable}: bad privileges {privs.strip()!r} for role {role!r}"
            )
        role = role.strip()
        if role == _PUBLIC:
            if not public_grants_allowed():
                raise ConfigurationError(
                    f"{variable}: granting {', '.join(names)} to 'public' gives it to every "
                    f"role; set {_ALLOW_PUBLIC_VARIABLE}=true if that is really meant"
                )
            result.append((role, names))
            continue
        result.append((role_name(f"{variable} role", role), names))
    return result


@dataclass(frozen=True)
class Configuration:
    """Every pycds setting, validated together (see :func:`validate_configuration`)."""

    schema_name: str
    su_role_name: str
    standard_table_privileges: list[tuple[str, list[str]]]


def validate_configuration() -> Configuration:
    """Read and check every setting at once; a bad one raises a one-line ConfigurationError.

    Commands call this at start-up, so that ``alembic check`` fails on a bad
    ``PYCDS_SU_ROLE_NAME`` rather than passing and leaving ``upgrade`` to fail later.
    """
    return Configuration(get_schema_name(), get_su_role_name(), get_standard_table_privileges())
