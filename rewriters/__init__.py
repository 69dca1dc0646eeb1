"""LibCST rewriters for Alembic migration files.

* :mod:`rewriters.schema_name`: hard-coded schema literals become ``schema_name``
  (``= get_schema_name()``), so a migration runs in any schema;
* :mod:`rewriters.drop_add_to_rename`: a drop+add pair that is really a rename becomes
  ``op.alter_column(..., new_column_name=...)`` / ``op.rename_table(...)``;
* :mod:`rewriters.cli`: the ``pycds-rewrite`` command (also ``python -m rewriters``, the form used
  by Alembic's ``post_write_hooks``).
"""
