"""An Alembic environment shaped like alembic-utils 0.8.8's own test environment
(``src/test/alembic_config/env.py``: ``include_schemas=True``, an ``include_object`` that
drops names containing ``exclude_obj_``, an ``include_name`` that drops names containing
``exclude_name_``), with our comparator swapped in for alembic-utils'
``compare_registered_entities`` (``compat.use_instead_of_alembic_utils``).

Entities are registered with alembic-utils' own ``register_entities``; revisions are written,
upgraded and downgraded through Alembic's command API, as alembic-utils' ``testbase`` does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import alembic
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

ENV_PY = """
from alembic import context
from sqlalchemy import MetaData, create_engine, pool

from alembic_utils.replaceable_entity import ReplaceableEntity


def include_object(object, name, type_, reflected, compare_to):
    if isinstance(object, ReplaceableEntity):
        return "exclude_obj_" not in name
    return False


def include_name(name, type_, parent_names):
    return "exclude_name_" not in name if name else True


engine = create_engine(context.config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=[MetaData()],
        include_schemas=True,
        include_object=include_object,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
"""


class AlembicProject:
    """A throwaway Alembic project in ``root`` on the database of ``engine``."""

    def __init__(self, root: Path, engine: sa.Engine):
        self.root = root
        self.engine = engine
        self.versions = root / "versions"
        root.mkdir(parents=True, exist_ok=True)
        (root / "env.py").write_text(ENV_PY)
        template = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
        shutil.copy(template, root / "script.py.mako")
        self.reset()

    def reset(self) -> None:
        shutil.rmtree(self.versions, ignore_errors=True)
        self.versions.mkdir()

    def config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(self.root))
        url = self.engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escape
        return config

    def revision(self, rev_id: str, message: str) -> str:
        """``alembic revision --autogenerate``; the text of the file written."""
        command.revision(self.config(), autogenerate=True, rev_id=rev_id, message=message)
        return (self.versions / f"{rev_id}_{message}.py").read_text()

    def upgrade(self) -> None:
        command.upgrade(self.config(), "head")

    def downgrade(self) -> None:
        command.downgrade(self.config(), "base")

    def path(self, rev_id: str, message: str) -> Path:
        return self.versions / f"{rev_id}_{message}.py"
