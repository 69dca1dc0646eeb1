"""Upstream PyCDS 5.0.1 at its head revision ``f6d5a4c2e901``, rebuilt from its facts.

The real CRMP and Metnorth databases are stamped ``f6d5a4c2e901``; the root revision of
pycds's chain carries that id and builds, from an empty schema, the structure that
``../shared/reference/upstream-head-schema.md`` lists: same tables, columns, constraint and
index names, triggers, grants, owners, function signatures and properties, view columns.
The SQL bodies are written anew (upstream is GPL): they behave as crmp-facts section 6
describes, upstream's flaws included (unqualified names that need the schema on the
``search_path``, the broken ``daily_ts``/``monthly_ts``/``updatesdateedate``, bytea
geometry in the station views). The revisions after the root fix them one by one.

Frozen on purpose: these definitions are what databases at ``f6d5a4c2e901`` hold, and the
downgrades back to it restore them. Never edit them to follow the head; change the head in
``pycds.orm``/``pycds.replaceables`` and add a revision.
"""

from __future__ import annotations

REVISION = "f6d5a4c2e901"
