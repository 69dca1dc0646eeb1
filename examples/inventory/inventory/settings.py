"""The project's configuration: which schema every table lives in.

Migrations never hard-code the schema; they call :func:`get_schema` (the rewriter's
``schema-call``), so one migration chain serves every deployment.
"""

from __future__ import annotations

import os
import re

SCHEMA_ENV = "INVENTORY_SCHEMA"
DEFAULT_SCHEMA = "inventory"


def get_schema() -> str:
    """The schema named by ``INVENTORY_SCHEMA`` (default ``inventory``), a plain identifier."""
    name = os.environ.get(SCHEMA_ENV, "").strip() or DEFAULT_SCHEMA
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"{SCHEMA_ENV} must be a plain lower-case identifier, got {name!r}")
    return name
