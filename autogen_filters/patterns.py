"""Anchored regular expressions from registry files, compiled and matched within bounds.

Rules and hazard acknowledgements name objects with patterns that people write. They are
compiled with the ``regex`` library, whose default syntax is ``re``'s, and matched with a
timeout, so that a pattern that backtracks catastrophically costs at most
:data:`MATCH_TIMEOUT` seconds and ends in one error line instead of a hang.
"""

from __future__ import annotations

import regex

__all__ = ["COMPILE_ERRORS", "MATCH_TIMEOUT", "SCHEMA_PLACEHOLDER", "compile_pattern"]

#: Stands for the managed schema in a pattern.
SCHEMA_PLACEHOLDER = "{schema}"
#: Seconds one pattern may spend on one name; real names take microseconds.
MATCH_TIMEOUT = 1.0
#: What compiling a hostile pattern can raise: bad syntax, or too deep or too large.
COMPILE_ERRORS = (regex.error, RecursionError, MemoryError, OverflowError, ValueError)


def compile_pattern(pattern: str, schema: str, flags: int = 0) -> regex.Pattern[str]:
    """Compile ``pattern`` with ``{schema}`` bound to ``schema`` (escaped)."""
    return regex.compile(pattern.replace(SCHEMA_PLACEHOLDER, regex.escape(schema)), flags)
