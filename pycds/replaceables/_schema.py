"""Resolution and validation of the schema name that every entity is built for.

Entity definitions interpolate the schema name into SQL text, so it must be a plain
identifier (no quoting needed, nothing to escape). ``pycds.get_schema_name()`` already
guarantees that for the configured schema; a schema passed in explicitly is checked here
against the same rule.
"""

from __future__ import annotations

from pycds.config import get_schema_name, plain_identifier


def resolve_schema(schema: str | None) -> str:
    """Return ``schema`` (default: the configured schema), refusing anything not plain."""
    return get_schema_name() if schema is None else plain_identifier("schema", schema)
