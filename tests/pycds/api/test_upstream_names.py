"""Every name of upstream PyCDS 5.0.1's public API (facts: ``upstream-api.md``) exists here,
with the same kind: mapped classes map the table or view the facts name, with the listed
column and relationship attributes; other names are the same objects wherever upstream
exports them from several modules.

Two things in the facts are deliberately not provided, each for a stated reason:

- ``pycds.alembic.change_history_utils``: migration-authoring helpers of upstream's own
  revision chain (this chain has its own, ``pycds.replaceables.history``); clients do not
  import it.
- ``version_<revision>`` modules: upstream's frozen per-revision definitions, used only by
  upstream's migrations.

Names a module merely imports (the facts say so: ``re``, ``text``...) are not part of the
API: a name counts as foreign when it is a standard-library module or an attribute of the
third-party modules upstream builds on (not one of their submodules: upstream's own
``base``, ``config`` and ``script`` share those names).
"""

from __future__ import annotations

import calendar
import importlib
import sys
import types
import typing

import alembic
import alembic.config
import alembic.script
import pytest
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.engine
import sqlalchemy.exc
import sqlalchemy.orm
from sqlalchemy.orm import RelationshipProperty, SynonymProperty

import pycds
from tests.helpers.upstream_api import load

API = load()

NOT_PROVIDED_MODULES = {"pycds.alembic.change_history_utils"}
FOREIGN_NAMESPACES = (
    typing,
    calendar,
    sa,
    sqlalchemy.orm,
    sqlalchemy.exc,
    sqlalchemy.engine,
    sqlalchemy.dialects.postgresql,
    alembic,
    alembic.config,
    alembic.script,
)


# Alembic's documented idiom ``from alembic import op`` imports a module; other submodules
# (``sqlalchemy.orm.base``, ``alembic.config``...) share names with upstream's own objects.
FOREIGN_MODULES = {alembic.op, alembic.context}


def is_foreign(name: str) -> bool:
    if name in sys.stdlib_module_names:
        return True
    values = (getattr(ns, name) for ns in FOREIGN_NAMESPACES if hasattr(ns, name))
    return any(not isinstance(v, types.ModuleType) or v in FOREIGN_MODULES for v in values)


def own_names(module: str) -> list[str]:
    return [
        name
        for name in API.modules[module]
        if not is_foreign(name) and not name.startswith("version_")
    ]


def test_the_facts_name_the_core_classes():
    # Guards the parser: an empty parse would make every test below vacuous.
    assert {"Network", "Station", "History", "Variable", "Obs", "Base"} <= set(API.top_level)
    assert {"Network", "Obs", "CrmpNetworkGeoserver", "ObsHistory"} <= set(API.mapped)
    assert "pycds.orm.tables" in API.modules


@pytest.mark.parametrize("name", API.top_level)
def test_top_level_name_is_importable(name):
    exec(f"from pycds import {name}", {})


@pytest.mark.parametrize("name", sorted(API.mapped))
def test_mapped_class_maps_the_listed_relation_and_attributes(name):
    facts = API.mapped[name]
    cls = getattr(pycds, name)
    mapper = sa.inspect(cls)
    assert mapper.local_table.name == facts.table
    assert mapper.local_table.schema == pycds.get_schema_name()
    attributes = mapper.all_orm_descriptors
    missing = (facts.columns | facts.relationships) - set(attributes.keys())
    assert not missing, f"{name} lacks {sorted(missing)}"
    for column in facts.columns:
        assert column in mapper.column_attrs, f"{name}.{column} is not a column"
    for relationship in facts.relationships:
        prop = mapper.attrs[relationship]
        if isinstance(prop, SynonymProperty):
            prop = mapper.attrs[prop.name]
        assert isinstance(prop, RelationshipProperty), f"{name}.{relationship}: {prop!r}"


def _module_attribute(name: str) -> bool:
    return any(path == f"pycds.{name}" or path.startswith(f"pycds.{name}.") for path in API.modules)


@pytest.mark.parametrize(
    "name", [n for n in API.top_level if n not in API.mapped and not _module_attribute(n)]
)
def test_other_top_level_name_is_the_object_its_module_exports(name):
    """``from pycds import schema_func`` is ``pycds.util.schema_func``, and so on."""
    value = getattr(pycds, name)
    homes = [m for m in API.modules if m not in NOT_PROVIDED_MODULES and name in API.modules[m]]
    if not homes:  # only a third-party module re-exported (``sqlalchemy``)
        assert isinstance(value, types.ModuleType) and value.__name__ == name
        return
    for home in homes:
        assert getattr(importlib.import_module(home), name) is value, home


@pytest.mark.parametrize("name", [n for n in API.top_level if _module_attribute(n)])
def test_top_level_module_attribute_is_the_module(name):
    assert getattr(pycds, name) is importlib.import_module(f"pycds.{name}")


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (module, name)
        for module in API.modules
        if module not in NOT_PROVIDED_MODULES
        for name in own_names(module)
    ],
)
def test_module_exports_name(module, name):
    value = getattr(importlib.import_module(module), name)
    if name in API.top_level:
        assert value is getattr(pycds, name)
    elif name[0].isupper():
        assert isinstance(value, type | sa.Table), f"{module}.{name} = {value!r}"


def test_nothing_is_left_out_silently():
    """Exactly the stated exclusions: one module and the ``version_*`` modules."""
    skipped = {
        (m, n)
        for m, names in API.modules.items()
        for n in names
        if m not in NOT_PROVIDED_MODULES and not is_foreign(n) and n not in own_names(m)
    }
    assert all(name.startswith("version_") for _, name in skipped)
    assert set(API.modules) >= NOT_PROVIDED_MODULES
