"""pycds's Alembic environment and migration scripts (``env.py``, ``versions/``).

A package so that upstream's import path ``pycds.alembic.info`` works; Alembic itself
loads ``env.py`` and the revisions by path.
"""
