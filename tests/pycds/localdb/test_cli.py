"""``pycds-db``: output, exit status and one-line errors."""

import pytest
import sqlalchemy as sa

from pycds import get_schema_name
from pycds.localdb import provision
from pycds.localdb.cli import main


def test_url_prints_a_libpq_url_with_the_owners_password_file(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PYCDS_DB_PORT", "54321")
    monkeypatch.setenv("PYCDS_DB_DIR", str(tmp_path / "db"))
    passfile = f"passfile={tmp_path}/db/pgpass"
    assert main(["url", "ref"]) == 0
    assert (
        capsys.readouterr().out.strip() == f"postgresql://postgres@127.0.0.1:54321/ref?{passfile}"
    )
    assert main(["url", "--sqlalchemy"]) == 0
    assert (
        capsys.readouterr().out.strip()
        == f"postgresql+psycopg2://postgres@127.0.0.1:54321/ref?{passfile}"
    )


@pytest.mark.parametrize("port", ["not-a-port", "abc", "0", "70000", "-1"])
def test_bad_port_is_a_one_line_error(capsys, monkeypatch, port):
    monkeypatch.setenv("PYCDS_DB_PORT", port)
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pycds-db: error: PYCDS_DB_PORT={port!r}")
    assert err.count("\n") == 1


def test_bad_schema_name_is_a_one_line_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", "No Such")
    monkeypatch.setenv("PYCDS_DB_DIR", str(tmp_path))
    monkeypatch.setenv("PYCDS_DB_PORT", "54399")
    # The server is never started: the schema name is checked before anything else.
    assert main(["up"]) == 2
    err = capsys.readouterr().err
    assert "PYCDS_SCHEMA_NAME" in err and err.count("\n") == 1


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["sideways"])
    assert raised.value.code == 2


@pytest.mark.db
def test_provision_database_brings_a_database_to_head_and_is_idempotent(pg_server_url):
    name = "test_provision_ref"
    provision.drop_database(pg_server_url, name)
    try:
        url = provision.provision_database(pg_server_url, name)
        again = provision.provision_database(pg_server_url, name)
        assert url == again
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            version = conn.scalar(
                sa.text(f"SELECT version_num FROM {get_schema_name()}.alembic_version")
            )
        engine.dispose()
        from alembic.script import ScriptDirectory

        from pycds.alembic_config import make_config

        assert version == ScriptDirectory.from_config(make_config()).get_current_head()
    finally:
        provision.drop_database(pg_server_url, name)
