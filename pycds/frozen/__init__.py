"""What the revisions after the root create, frozen: one module per revision, ``r<revision>``.

A revision builds its functions, views and matviews from its own module here (the root from
``pycds.upstream_head``), never from the head definitions in ``pycds.replaceables``, which
follow the ORM: changing the head must never change what an old revision builds, nor what a
downgrade restores. A later revision that replaces one of these objects restores it on
downgrade from the module of the revision that created it, so each text exists once.
Nothing here imports ``pycds.replaceables``, ``pycds.orm`` or ``pycds.tracking``
(``tests/pycds/test_frozen_revisions.py``).
"""
