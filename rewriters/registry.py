"""The registry of rewriter plugins: every module of :mod:`rewriters.plugins`, plus the modules
a project names in ``[tool.alembic-rewrite] plugins = ["mypkg.my_rewriter"]`` (each defining
``PLUGIN``). No entry-point scan: it would cost every hook run more than the rewrite of a file.

Plugins run in their ``ORDER`` position (rename first: it reads the schema literals the schema
rewrite replaces), then by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import rewriters.plugins
from rewriters.errors import ConfigError
from rewriters.plugin import Rewriter

#: Plugins listed here run first, in this order; any other after them, by name.
ORDER = ("rename", "role", "schema")


@cache
def plugins(extra: tuple[str, ...] = ()) -> dict[str, Rewriter]:
    """Every known plugin by name, in running order: the built-in ones and the modules named in
    ``extra``. Raises ConfigError (one line) for a module that cannot be imported or has no
    ``PLUGIN``."""
    modules = [
        f"rewriters.plugins.{i.name}" for i in pkgutil.iter_modules(rewriters.plugins.__path__)
    ]
    found: dict[str, Rewriter] = {}
    for name in [*modules, *extra]:
        try:
            plugin = importlib.import_module(name).PLUGIN
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"plugin {name!r} cannot be loaded: {exc}") from None
        if not isinstance(plugin, Rewriter):
            raise ConfigError(f"plugin {name!r}: PLUGIN is not a rewriters.plugin.Rewriter")
        found.setdefault(plugin.name, plugin)
    rank = {name: index for index, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0])))
