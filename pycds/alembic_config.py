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


# Upstream PyCDS's 28 revisions below its head f6d5a4c2e901 (crmp-facts 8.5), oldest first.
# This chain starts at f6d5a4c2e901, so a database stamped with one of these cannot be
# migrated by pycds: PyCDS 5.0.1 must bring it to f6d5a4c2e901 first.
UPSTREAM_ROOT = "f6d5a4c2e901"
UPSTREAM_OLDER_REVISIONS = (
    "522eed334c85",
    "4a2f1879293a",
    "84b7fc2596d5",
    "8fd8f556c548",
    "7a3b247c577b",
    "bdc28573df56",
    "e688e520d265",
    "2914c6c8a7f9",
    "0d99ba90c229",
    "3d50ec832e47",
    "7b139906ac46",
    "879f0efa125f",
    "83896ee79b06",
    "78260d36e42b",
    "5c841d2c01d1",
    "96729d6db8b3",
    "bf366199f463",
    "22819129a609",
    "bb2a222a1d4a",
    "fecff1a73d7e",
    "6cb393f711c3",
    "efde19ea4f52",
    "3505750d3416",
    "081f17262852",
    "7ab87f8fbcf4",
    "a59d64cf16ca",
    "8c05da87cb79",
    "33179b5ae85a",
)


def older_upstream_revision_message(stamped: list[str]) -> str | None:
    """The one-line refusal for a database stamped below upstream's head, else None."""
    for revision in stamped:
        if revision in UPSTREAM_OLDER_REVISIONS:
            return (
                f"the database is at upstream PyCDS revision {revision}, older than "
                f"{UPSTREAM_ROOT} where pycds's migrations start: upgrade it with PyCDS 5.0.1 "
                f"first (alembic upgrade {UPSTREAM_ROOT}), then run pycds"
            )
    return None
