"""Configuration of the migration rewriters.

It comes from the ``[tool.alembic-rewrite]`` table of the nearest ``pyproject.toml`` (searched
upwards from the file being rewritten), overridden by command-line options. Each rewriter
plugin (:mod:`rewriters.registry`) reads its own sub-table, ``[tool.alembic-rewrite.<name>]``,
and checks its keys. Without configuration nothing that needs project knowledge happens: no
schema literal is parametrised (no schema and no schema call are assumed), no role is replaced.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from rewriters.errors import ConfigError

#: No schema literal is assumed: the project names its own (``[tool.alembic-rewrite.schema]``).
DEFAULT_SCHEMAS: tuple[str, ...] = ()
#: The call used when a project names schemas but no ``schema-call``: a bare name, no import.
DEFAULT_SCHEMA_CALL = "get_schema_name"
#: Name of the module-level variable holding the schema name (the migration convention).
SCHEMA_VARIABLE = "schema_name"
TOOL = "alembic-rewrite"

__all__ = ["ConfigError", "RewriteConfig", "load_config"]


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
    #: Modules of the project's own plugins (``[tool.alembic-rewrite] plugins``).
    plugins: tuple[str, ...] = ()
    #: Settings of the other plugins, by plugin name (e.g. ``options["role"]``).
    options: Mapping[str, Any] = field(default_factory=dict)

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


def check_identifier_path(value: object, key: str, source: str) -> str:
    """Return ``value`` if it is a dotted Python name, else raise ConfigError (one line)."""
    if not isinstance(value, str) or not all(part.isidentifier() for part in value.split(".")):
        raise ConfigError(f"{source}: {key!r} must be a dotted Python name, got {value!r}")
    return value


def config_from_table(table: Mapping[str, Any], source: str = "pyproject.toml") -> RewriteConfig:
    """Validate a ``[tool.alembic-rewrite]`` table (one sub-table per plugin) into a config."""
    from rewriters.registry import plugins

    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [tool.{TOOL}] must be a table")
    extra = table.get("plugins", [])
    if not isinstance(extra, list) or not all(isinstance(m, str) and m for m in extra):
        raise ConfigError(f"{source}: 'plugins' must be a list of module names")
    try:
        known = plugins(tuple(extra))
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    unknown = sorted(set(table) - set(known) - {"plugins"})
    if unknown:
        raise ConfigError(
            f"{source}: unknown rewriter(s) {unknown} in [tool.{TOOL}] (known: {sorted(known)})"
        )
    config = RewriteConfig(plugins=tuple(extra))
    for name, plugin in known.items():
        if name in table:
            config = plugin.configure(table[name], source, config)
    return config


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
    if "pycds-rewrite" in data.get("tool", {}):
        raise ConfigError(
            f"{path}: [tool.pycds-rewrite] is now [tool.{TOOL}.schema] and "
            f"[tool.{TOOL}.rename] (see docs/rewriters.md)"
        )
    table = data.get("tool", {}).get(TOOL)
    if table is None:
        return RewriteConfig()
    return config_from_table(table, str(path))


def load_config(start: Path, config_file: Path | None = None) -> RewriteConfig:
    """Configuration for files at ``start``: ``config_file`` when given (a pyproject.toml or
    any TOML file with a ``[tool.alembic-rewrite]`` table), else the nearest pyproject.toml,
    else the defaults."""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: no such configuration file")
        return _load_pyproject(config_file.resolve())
    pyproject = find_pyproject(start)
    if pyproject is None:
        return RewriteConfig()
    return _load_pyproject(pyproject)
