"""Upstream's ``pycds.context``: the run-time configuration read from the environment.

The functions are those of :mod:`pycds.config`, which also validates each value (a schema
or role name must be a plain identifier; privileges must be known ones).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from pycds.config import (
    DEFAULT_STANDARD_TABLE_PRIVS,
    get_schema_name,
    get_su_role_name,
    parse_standard_table_privileges,
)


def split_on(sep: str) -> Callable[[str], list[str]]:
    """A function splitting a string on ``sep`` with the whitespace around it; ``""`` -> ``[]``."""
    pattern = re.compile(rf"\s*{re.escape(sep)}\s*")

    def split(text: str) -> list[str]:
        return [] if text == "" else pattern.split(text)

    return split


def get_standard_table_privileges(
    default_privs: str = DEFAULT_STANDARD_TABLE_PRIVS,
) -> list[tuple[str, list[str]]]:
    """``PYCDS_STANDARD_TABLE_PRIVS`` (else ``default_privs``) as ``[(role, [privs])]``."""
    return parse_standard_table_privileges(
        os.environ.get("PYCDS_STANDARD_TABLE_PRIVS", default_privs)
    )


__all__ = [
    "get_schema_name",
    "get_standard_table_privileges",
    "get_su_role_name",
    "parse_standard_table_privileges",
    "split_on",
]
