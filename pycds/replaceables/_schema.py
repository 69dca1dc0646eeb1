"""Resolution and validation of the schema name that every entity is built for.

Entity definitions interpolate the schema name into SQL text, so it must be a plain
identifier (no quoting needed, nothing to escape). ``pycds.get_schema_name()`` already
guarantees that for the configured schema; a schema passed in explicitly is checked here
against the same rule.
"""

from __future__ import annotations

import re

from pycds.config import get_schema_name

# The same rule as pycds.config: what PostgreSQL accepts unquoted and keeps as written.
_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]{0,62}")


def resolve_schema(schema: str | None) -> str:
    """Return ``schema`` (default: the configured schema), refusing anything not plain."""
    if schema is None:
        return get_schema_name()
    if not _PLAIN_IDENTIFIER.fullmatch(schema):
        raise ValueError(
            f"schema {schema!r} is not a plain PostgreSQL identifier "
            "(lower-case letter or underscore, then letters, digits, '_' or '$'; at most 63)"
        )
    return schema
