"""Configuration of the migration rewriters.

The configuration says which string literal(s) count as "the schema", which call replaces them
and which column/table renames are declared. It comes from the ``[tool.pycds-rewrite]`` table of
the nearest ``pyproject.toml`` (searched upwards from the file being rewritten), overridden by
command-line options, falling back to the defaults below.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_SCHEMAS: tuple[str, ...] = ("crmp",)
DEFAULT_SCHEMA_CALL = "pycds.get_schema_name"
#: Name of the module-level variable holding the schema name (PyCDS migration convention).
SCHEMA_VARIABLE = "schema_name"

_KNOWN_KEYS = {"schema", "schema-call", "renames", "rename"}


class ConfigError(Exception):
    """Raised for an invalid configuration (bad TOML, wrong types, bad dotted path)."""


@dataclass(frozen=True)
class RewriteConfig:
    """Everything a rewriter needs to know about the project.

    ``renames`` maps ``"table.old"`` (or ``"schema.table.old"``) to a new column name, and
    ``"table"`` (or ``"schema.table"``) to a new table name when the value is prefixed with
    ``"table:"``; see :func:`parse_rename_entry`.
    """

    schemas: tuple[str, ...] = DEFAULT_SCHEMAS
    schema_call: str = DEFAULT_SCHEMA_CALL
    renames: dict[str, str] = field(default_factory=dict)
    rename: bool = True

    @property
    def call_module(self) -> str | None:
        """Module to import the schema call from (``None`` for a bare name)."""
        module, _, _name = self.schema_call.rpartition(".")
        return module or None

    @property
    def call_name(self) -> str:
        """Bare name of the schema call as used in the migration."""
        return self.schema_call.rpartition(".")[2]

    def with_overrides(
        self,
        schemas: list[str] | None = None,
        renames: dict[str, str] | None = None,
        rename: bool | None = None,
    ) -> RewriteConfig:
        """Return a copy with command-line overrides applied (``None`` keeps the value)."""
        updated = self
        if schemas:
            updated = replace(updated, schemas=tuple(dict.fromkeys(schemas)))
        if renames:
            updated = replace(updated, renames={**updated.renames, **renames})
        if rename is not None:
            updated = replace(updated, rename=rename)
        return updated


def _check_identifier_path(value: str) -> str:
    parts = value.split(".")
    if not value or not all(part.isidentifier() for part in parts):
        raise ConfigError(f"schema-call must be a dotted Python name, got {value!r}")
    return value


def config_from_table(table: dict[str, Any], source: str = "pyproject.toml") -> RewriteConfig:
    """Validate a ``[tool.pycds-rewrite]`` table and build a :class:`RewriteConfig`."""
    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [tool.pycds-rewrite]: {sorted(unknown)}")
    schemas = table.get("schema", list(DEFAULT_SCHEMAS))
    if isinstance(schemas, str):
        schemas = [schemas]
    if (
        not isinstance(schemas, list)
        or not schemas
        or not all(isinstance(s, str) and s for s in schemas)
    ):
        raise ConfigError(f"{source}: 'schema' must be a non-empty list of strings")
    schema_call = table.get("schema-call", DEFAULT_SCHEMA_CALL)
    if not isinstance(schema_call, str):
        raise ConfigError(f"{source}: 'schema-call' must be a string")
    renames = table.get("renames", {})
    if not isinstance(renames, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in renames.items()
    ):
        raise ConfigError(f"{source}: [tool.pycds-rewrite.renames] must map strings to strings")
    for key, value in renames.items():
        parse_rename_entry(key, value, source)
    rename = table.get("rename", True)
    if not isinstance(rename, bool):
        raise ConfigError(f"{source}: 'rename' must be true or false")
    return RewriteConfig(
        schemas=tuple(schemas),
        schema_call=_check_identifier_path(schema_call),
        renames=dict(renames),
        rename=rename,
    )


def parse_rename_entry(key: str, value: str, source: str = "--rename") -> tuple[str, str, str]:
    """Split a declared rename into ``(table_key, old, new)``.

    ``"meta_network.old_col" = "new_col"`` declares a column rename (table key
    ``"meta_network"``); ``"crmp.meta_network.old_col"`` restricts it to one schema (table key
    ``"crmp.meta_network"``). ``"old_table" = "table:new_table"`` declares a table rename, with
    an empty ``old`` column in the result.
    """
    if value.startswith("table:"):
        new = value.removeprefix("table:")
        if not key or not new:
            raise ConfigError(f"{source}: bad table rename {key!r} = {value!r}")
        return key, "", new
    table_key, _, old = key.rpartition(".")
    if not table_key or not old or not value:
        raise ConfigError(
            f'{source}: bad rename {key!r} = {value!r} (expected "table.old_column" = "new")'
        )
    return table_key, old, value


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest ``pyproject.toml`` at or above ``start`` (a file or directory)."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=64)
def _load_pyproject(path: Path) -> RewriteConfig:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    table = data.get("tool", {}).get("pycds-rewrite")
    if table is None:
        return RewriteConfig()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.pycds-rewrite] must be a table")
    return config_from_table(table, str(path))


def load_config(start: Path) -> RewriteConfig:
    """Configuration for files at ``start``: nearest pyproject.toml, else the defaults."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return RewriteConfig()
    return _load_pyproject(pyproject)
