"""The common interface of a rewriter plugin, and what its transform returns.

A plugin is one module that defines ``PLUGIN = Rewriter(...)``: its name (the
``[tool.alembic-rewrite.<name>]`` table that configures it), a description, its config keys
(checked on load by ``configure``), a cheap text pre-check, a LibCST transform and its
before/after cases (data the tests run). :mod:`rewriters.registry` lists the plugins; the
module must not import LibCST at import time (the transform is named by a dotted path and
imported only once a file passes a pre-check).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

    from rewriters._cst import Diagnostic
    from rewriters.config import RewriteConfig


@dataclass
class TransformResult:
    """What a transform returns: the module (the input when unchanged) and diagnostics."""

    module: cst.Module
    changed: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    """One before/after example: ``table`` is the plugin's configuration table for it."""

    name: str
    before: str
    after: str
    table: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rewriter:
    """One rewriter plugin (see the module docstring)."""

    name: str
    description: str
    #: Config key -> one-line meaning; ``configure`` rejects every other key.
    keys: Mapping[str, str]
    #: Validate the plugin's table (``source`` names it in errors) into the project config.
    configure: Callable[[Mapping[str, Any], str, RewriteConfig], RewriteConfig]
    #: Whether the plugin runs at all for this configuration (False: it needs configuring).
    enabled: Callable[[RewriteConfig], bool]
    #: Cheap text pre-check: False means the transform cannot change this source.
    precheck: Callable[[str, RewriteConfig], bool]
    #: ``"module:function"`` of the LibCST transform ``(cst.Module, RewriteConfig) -> result``.
    transform: str
    cases: tuple[Case, ...] = ()
    #: Shown when the plugin is off for lack of configuration (one line).
    hint: str = ""

    def run(self, module: cst.Module, config: RewriteConfig) -> TransformResult:
        """Import the transform (LibCST) and apply it."""
        module_name, _, function = self.transform.partition(":")
        transform = getattr(importlib.import_module(module_name), function)
        result: TransformResult = transform(module, config)
        return result


def check_keys(plugin: str, table: Mapping[str, Any], keys: Mapping[str, str], source: str) -> None:
    """Raise ConfigError (one line) for a key the plugin does not know."""
    from rewriters.errors import ConfigError

    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [tool.alembic-rewrite.{plugin}] must be a table")
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {unknown} in [tool.alembic-rewrite.{plugin}] "
            f"(known: {sorted(keys)})"
        )
