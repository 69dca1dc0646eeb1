"""The registry of rewriter plugins: every module of :mod:`rewriters.plugins`, plus those other
distributions declare under the ``alembic_rewriters.plugins`` entry-point group.

Plugins run in their ``ORDER`` position (rename first: it reads the schema literals the schema
rewrite replaces), then by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

import rewriters.plugins
from rewriters.plugin import Rewriter

ENTRY_POINT_GROUP = "alembic_rewriters.plugins"
#: Plugins listed here run first, in this order; any other after them, by name.
ORDER = ("rename", "role", "schema")


@cache
def plugins() -> dict[str, Rewriter]:
    """Every known plugin by name, in running order."""
    found: dict[str, Rewriter] = {}
    for info in pkgutil.iter_modules(rewriters.plugins.__path__):
        module = importlib.import_module(f"rewriters.plugins.{info.name}")
        plugin: Rewriter = module.PLUGIN
        found[plugin.name] = plugin
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        plugin = entry.load()
        found.setdefault(plugin.name, plugin)
    rank = {name: index for index, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0])))
