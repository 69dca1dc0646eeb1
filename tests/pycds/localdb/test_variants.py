"""One reference database per variant: ``ref`` (plain) and ``ref_crmp``, side by side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from pycds import get_schema_name
from pycds.alembic_config import make_config
from pycds.localdb import provision

ROOT = Path(__file__).resolve().parents[3]
HEAD = ScriptDirectory.from_config(make_config()).get_current_head()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names(schema=get_schema_name()))
    finally:
        engine.dispose()


def test_reference_database_names():
    assert provision.reference_database(None) == "ref"
    assert provision.reference_database("crmp") == "ref_crmp"
    with pytest.raises(ValueError, match="unknown overlay 'nope'"):
        provision.reference_database("nope")


@pytest.mark.db
def test_an_overlaid_database_is_rebuilt_plain(pg_server_url):
    """What an older pycds-db left in ``ref`` after ``--like crmp`` is not used as plain."""
    name = "test_variant_ref"
    provision.drop_database(pg_server_url, name)
    try:
        url = provision.provision_database(pg_server_url, name)
        plain_tables = _tables(url)
        # As an older pycds-db left ``ref`` after ``--like crmp``: the overlaid variant under
        # the plain name.
        provision.provision_database(pg_server_url, name, like="crmp")
        assert provision.database_comment(pg_server_url, name) == "pycds-db: like crmp"
        assert _tables(url) != plain_tables
        provision.provision_database(pg_server_url, name)
        assert _tables(url) == plain_tables
        assert provision.database_comment(pg_server_url, name) == "pycds-db: plain"
    finally:
        provision.drop_database(pg_server_url, name)


def _alembic_current(localdb, label: str) -> str:
    ini = str(ROOT / "alembic.ini")
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", ini, "-x", f"db={label}", "current"],
        capture_output=True,
        text=True,
        env=localdb.env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


@pytest.mark.db
def test_up_says_which_variant_at_which_revision_and_both_live_side_by_side(localdb):
    plain = localdb.run("up")
    assert plain.returncode == 0, plain.stderr
    ref_url = localdb.url("ref")
    assert plain.stdout == f"pycds-db: ref (plain) at revision {HEAD} (head): {ref_url}\n"
    crmp = localdb.run("up", "--like", "crmp")
    assert crmp.returncode == 0, crmp.stderr
    assert crmp.stdout == (
        f"pycds-db: ref_crmp (like crmp: the overlay's divergences applied) at revision {HEAD} "
        f"(head): {localdb.url('ref_crmp')}\n"
    )
    # A plain run afterwards keeps using the plain database and says so.
    again = localdb.run("up")
    assert again.stdout.startswith("pycds-db: ref (plain) at revision"), again.stdout
    plain_tables, crmp_tables = _tables(localdb.url("ref")), _tables(localdb.url("ref_crmp"))
    assert plain_tables < crmp_tables  # the overlay adds the legacy tables, in ref_crmp only
    # alembic.ini's labels reach both, with the owner's password file.
    assert _alembic_current(localdb, "ref") == f"{HEAD} (head)"
    assert _alembic_current(localdb, "ref_crmp") == f"{HEAD} (head)"
