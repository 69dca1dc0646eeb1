"""The entity kinds the comparator knows, one module each, found automatically.

Every module of this package that defines ``KIND`` (an instance of :class:`Kind`) is a kind;
adding a kind is adding such a module (and its tests).  The comparator, the simulation, the
planner and the divergence filters loop over :data:`KINDS` and ask :func:`kind_of`.
"""

from __future__ import annotations

import importlib
import pkgutil

from alembic_utils.replaceable_entity import ReplaceableEntity

from .base import CatalogKey, Kind, LiveEntity, bare_name, raw_sql


def _discover() -> tuple[Kind, ...]:
    found = []
    for module in pkgutil.iter_modules(__path__):
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if isinstance(kind, Kind):
            found.append(kind)
    return tuple(sorted(found, key=lambda k: k.rank))


#: Every kind, in creation rank order (extensions first, grants last).
KINDS: tuple[Kind, ...] = _discover()
_BY_CLASS: dict[type, Kind] = {k.entity_class: k for k in KINDS}
_BY_TYPE: dict[str, Kind] = {k.type_: k for k in KINDS}


def kind_of(entity: ReplaceableEntity | type) -> Kind:
    """The kind of an entity (or entity class); subclasses map to their alembic-utils base."""
    cls = entity if isinstance(entity, type) else type(entity)
    kind = _BY_CLASS.get(cls)
    if kind is not None:
        return kind
    for candidate in KINDS:
        if issubclass(cls, candidate.entity_class):
            return candidate
    raise TypeError(f"not a managed replaceable entity kind: {cls.__name__}")


def kind_named(type_: str) -> Kind | None:
    """The kind whose alembic-utils ``type_`` is ``type_`` (``"view"``, ``"grant_table"``...)."""
    return _BY_TYPE.get(type_)


__all__ = [
    "KINDS",
    "CatalogKey",
    "Kind",
    "LiveEntity",
    "bare_name",
    "kind_named",
    "kind_of",
    "raw_sql",
]
