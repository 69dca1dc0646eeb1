"""The PostgreSQL extensions pycds needs, as alembic-utils ``PGExtension`` entities.

The root revision (upstream's head) creates postgis, citext, hstore and unaccent in
``public`` and the language plpython3u. Declared here, a missing extension shows up in
autogenerate as a create, and an extension in another schema as a drop and a create.

plpython3u is not declared: a procedural language extension lives in ``pg_catalog``, which
the comparator never reads (nothing of pycds's lives there, and reading it would list every
built-in object), so a declared plpython3u would always look missing. The functions written
in it fail to simulate without it, which is how its absence shows.
"""

from __future__ import annotations

from alembic_utils.pg_extension import PGExtension

#: Extension -> the schema holding its objects (as the root revision creates them).
EXTENSION_SCHEMAS: dict[str, str] = {
    "postgis": "public",
    "citext": "public",
    "hstore": "public",
    "unaccent": "public",
}


def extensions() -> list[PGExtension]:
    """The declared extensions (creation needs the SU role: see ``needs_su_role``)."""
    return [
        PGExtension(schema=schema, signature=name) for name, schema in EXTENSION_SCHEMAS.items()
    ]
