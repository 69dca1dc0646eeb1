"""Alembic environment of the inventory example: how any project wires ``autogen_filters``.

- The database URL comes from ``INVENTORY_DATABASE_URL`` (else ``sqlalchemy.url`` in
  alembic.ini); every table and the version table live in ``inventory.settings.get_schema()``.
- Autogenerate and ``alembic check`` compare that schema only and drop the known divergences
  listed in the registry (``divergences`` in alembic.ini, or ``-x divergences=PATH``).
  ``-x strict=true`` makes a rule that matched nothing an error.
- Bad input ends with Alembic's one-line ``FAILED: ...``.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError
from autogen_filters import AutogenFilters, RegistryError, load_registry

from inventory.models import metadata
from inventory.settings import get_schema

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

x_arguments = context.get_x_argument(as_dictionary=True)
try:
    schema = get_schema()
except ValueError as error:
    raise CommandError(str(error)) from None


def _filters() -> AutogenFilters:
    # --- autogen_filters wiring ---
    path = x_arguments.get("divergences") or config.get_main_option("divergences")
    strict = x_arguments.get("strict", "false").lower() in {"1", "true", "yes", "on"}
    try:
        registry = load_registry(path)
    except RegistryError as error:
        raise CommandError(str(error)) from None
    return AutogenFilters(registry, schema=schema, strict=strict)
    # --- end autogen_filters wiring ---


def _url() -> str:
    url = os.environ.get("INVENTORY_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise CommandError("no database: set INVENTORY_DATABASE_URL")
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        version_table_schema=schema,
        literal_binds=True,
        **_filters().configure_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    options = _filters().configure_options()  # a bad registry fails before connecting
    engine = sa.create_engine(_url(), poolclass=sa.NullPool)
    try:
        connection = engine.connect()
    except sa.exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        raise CommandError(f"cannot connect to the inventory database: {reason}") from None
    with connection:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
