"""The head revision of pycds's migration chain, read from its script directory.

Upstream's ``pycds.alembic.info``: clients compare a database's ``alembic_version`` with
:func:`get_current_head` to know whether this pycds can work with it.
"""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory

from pycds.alembic_config import SCRIPT_LOCATION

config = Config()
config.set_main_option("script_location", str(SCRIPT_LOCATION))
script = ScriptDirectory.from_config(config)


def get_current_head() -> str:
    """The chain's single head revision id, computed from the revision files."""
    # A fresh ScriptDirectory: the revision map is read from the files on each call.
    return ScriptDirectory.from_config(config).get_current_head()


__all__ = ["config", "get_current_head", "script"]
