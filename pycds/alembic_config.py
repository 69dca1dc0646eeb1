"""Build an Alembic ``Config`` for pycds without the command line.

Used by ``pycds-db``, the tests and any program that migrates a database itself.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent / "alembic"
VERSIONS = SCRIPT_LOCATION / "versions"
# The repository's alembic.ini, when running from a checkout: it carries the post-write
# hooks and the divergence registry location.
REPO_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def make_config(
    url: str | None = None,
    *,
    extra_version_dir: Path | str | None = None,
    ini_path: Path | str | None = None,
) -> Config:
    """An Alembic config for pycds's migrations, optionally bound to ``url``.

    ``extra_version_dir`` adds a folder where new revisions are written (tests use a
    temporary one so that drafts never land in the package).
    """
    ini = Path(ini_path) if ini_path else (REPO_INI if REPO_INI.exists() else None)
    config = Config(str(ini) if ini else None)
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if extra_version_dir is not None:
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", f"{VERSIONS}:{extra_version_dir}")
    config.attributes["configure_logging"] = False
    return config
