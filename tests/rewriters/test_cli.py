"""Tests of the alembic-rewrite command line (in-process through main(argv), and one subprocess
run for ``python -m rewriters``)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rewriters.cli import main
from tests.rewriters.rewriters_testlib import PYCDS_TOML

NEEDS_REWRITE = (
    "from alembic import op\n\n\ndef upgrade():\n    op.drop_table('t', schema='crmp')\n"
)
REWRITTEN = (
    "from alembic import op\nfrom pycds import get_schema_name\n\nschema_name = get_schema_name()\n"
    "\n\ndef upgrade():\n    op.drop_table('t', schema=schema_name)\n"
)
CLEAN = "from alembic import op\n\n\ndef upgrade():\n    op.drop_table('t', schema='public')\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with its own pyproject.toml (default configuration) as working directory."""
    (tmp_path / "pyproject.toml").write_text(PYCDS_TOML)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_clean_file_exits_0_and_is_untouched(project: Path, capsys: pytest.CaptureFixture) -> None:
    path = project / "m.py"
    path.write_text(CLEAN)
    assert main([str(path)]) == 0
    assert path.read_text() == CLEAN
    assert capsys.readouterr().err == ""


def test_rewrite_exits_1_and_second_run_exits_0(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    path = project / "m.py"
    path.write_text(NEEDS_REWRITE)
    assert main([str(path)]) == 1
    assert path.read_text() == REWRITTEN
    assert capsys.readouterr().err == f"Rewriting {path}\n"
    assert main([str(path)]) == 0
    assert path.read_text() == REWRITTEN


def test_check_never_writes(project: Path, capsys: pytest.CaptureFixture) -> None:
    path = project / "m.py"
    path.write_text(NEEDS_REWRITE)
    assert main(["--check", str(path)]) == 1
    assert path.read_text() == NEEDS_REWRITE
    assert capsys.readouterr().err == f"Rewriting {path} (--check: not written)\n"


def test_diff_prints_unified_diff(project: Path, capsys: pytest.CaptureFixture) -> None:
    path = project / "m.py"
    path.write_text(NEEDS_REWRITE)
    assert main(["--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"--- {path}\n+++ {path}\n" in out
    assert (
        "-    op.drop_table('t', schema='crmp')\n+    op.drop_table('t', schema=schema_name)\n"
        in out
    )
    assert path.read_text() == NEEDS_REWRITE


def test_crlf_and_mode_are_kept(project: Path) -> None:
    path = project / "m.py"
    path.write_bytes(NEEDS_REWRITE.replace("\n", "\r\n").encode())
    path.chmod(0o751)
    assert main([str(path)]) == 1
    assert path.read_bytes() == REWRITTEN.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []


def test_encoding_cookie_is_kept(project: Path) -> None:
    path = project / "m.py"
    source = "# -*- coding: latin-1 -*-\n# café\n" + NEEDS_REWRITE
    path.write_bytes(source.encode("latin-1"))
    assert main([str(path)]) == 1
    text = path.read_bytes().decode("latin-1")
    assert "# café\n" in text and "schema=schema_name" in text


def test_unparsable_file_is_reported_and_others_processed(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    bad = project / "a_bad.py"
    bad.write_text("x = 'crmp'\ndef upgrade(:\n")
    good = project / "b_good.py"
    good.write_text(NEEDS_REWRITE)
    assert main([str(project)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith(f"{bad}:2: cannot parse")
    assert "Traceback" not in err
    assert bad.read_text() == "x = 'crmp'\ndef upgrade(:\n"
    assert good.read_text() == REWRITTEN


def test_directories_recurse_into_python_files(project: Path) -> None:
    (project / "versions" / "sub").mkdir(parents=True)
    (project / "versions" / "sub" / "m.py").write_text(NEEDS_REWRITE)
    (project / "versions" / "notes.txt").write_text(NEEDS_REWRITE)
    (project / "versions" / ".hidden").mkdir()
    (project / "versions" / ".hidden" / "m.py").write_text(NEEDS_REWRITE)
    assert main([str(project / "versions")]) == 1
    assert (project / "versions" / "sub" / "m.py").read_text() == REWRITTEN
    assert (project / "versions" / "notes.txt").read_text() == NEEDS_REWRITE
    assert (project / "versions" / ".hidden" / "m.py").read_text() == NEEDS_REWRITE


def test_missing_path_exits_2(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert main([str(project / "nope.py")]) == 2
    assert capsys.readouterr().err == f"{project / 'nope.py'}: error: no such file or directory\n"


def test_bad_config_exits_2_with_one_line(project: Path, capsys: pytest.CaptureFixture) -> None:
    (project / "pyproject.toml").write_text("[tool.alembic-rewrite.schema]\nschema = 3\n")
    path = project / "m.py"
    path.write_text(NEEDS_REWRITE)
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "'schema' must be a non-empty list of strings" in err
    assert path.read_text() == NEEDS_REWRITE


def test_bad_option_exits_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["--rename", "nonsense", "x.py"]) == 2
    assert "expected TABLE.OLD=NEW" in capsys.readouterr().err
    assert main(["--frobnicate"]) == 2


def test_schema_flag_replaces_configured_schemas(project: Path) -> None:
    path = project / "m.py"
    path.write_text(NEEDS_REWRITE.replace("'crmp'", "'other'"))
    assert main(["--schema", "other", str(path)]) == 1
    assert "schema=schema_name" in path.read_text()


def test_pyproject_configuration_is_used(project: Path) -> None:
    (project / "pyproject.toml").write_text(PYCDS_TOML.replace('"crmp"', '"metnorth"'))
    crmp = project / "crmp.py"
    crmp.write_text(NEEDS_REWRITE)
    metnorth = project / "metnorth.py"
    metnorth.write_text(NEEDS_REWRITE.replace("'crmp'", "'metnorth'"))
    assert main([str(crmp), str(metnorth)]) == 1
    assert crmp.read_text() == NEEDS_REWRITE
    assert "schema=schema_name" in metnorth.read_text()


def test_stdin_to_stdout(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NEEDS_REWRITE.encode())))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(stdout))
    assert main(["-"]) == 1
    sys.stdout.flush()
    assert stdout.getvalue().decode() == REWRITTEN


def test_diagnostics_do_not_change_exit_status(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    path = project / "m.py"
    source = "from alembic import op\nop.execute(\"SELECT 'crmp.x' FROM crmp.t\")\n"
    path.write_text(source)
    assert main([str(path)]) == 0
    assert capsys.readouterr().err == (
        f"{path}:2: SQL left unchanged: schema name inside an SQL string literal "
        "(rewrite by hand)\n"
    )


def test_no_rename_flag(project: Path) -> None:
    source = (
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
        "    op.add_column('t', sa.Column('b', sa.Integer(), nullable=True))\n"
        "    op.drop_column('t', 'a')\n\n\ndef downgrade():\n"
        "    op.add_column('t', sa.Column('a', sa.INTEGER(), nullable=True))\n"
        "    op.drop_column('t', 'b')\n"
    )
    path = project / "m.py"
    path.write_text(source)
    assert main(["--no-rename", str(path)]) == 0
    assert main([str(path)]) == 1
    assert "op.alter_column('t', 'a', new_column_name='b'" in path.read_text()


def test_python_dash_m_as_post_write_hook(tmp_path: Path) -> None:
    """What Alembic's ``type = module`` hook runs: config comes from the file's pyproject."""
    (tmp_path / "pyproject.toml").write_text(PYCDS_TOML)
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "abc_draft.py"
    path.write_text(NEEDS_REWRITE)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    completed = subprocess.run(
        [sys.executable, "-m", "rewriters", str(path)],
        cwd="/",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == f"Rewriting {path}\n"
    assert path.read_text() == REWRITTEN


def test_internal_error_is_one_line_and_other_files_continue(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import rewriters.cli as cli

    real = cli.rewrite_source

    def explode_on_first(source: str, config):
        if "boom" in source:
            raise RuntimeError("simulated bug")
        return real(source, config)

    monkeypatch.setattr(cli, "rewrite_source", explode_on_first)
    (project / "a.py").write_text("# boom\n" + NEEDS_REWRITE)
    (project / "b.py").write_text(NEEDS_REWRITE)
    assert main([str(project)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0]
        == f"{project / 'a.py'}: internal error, file left unchanged: RuntimeError: simulated bug"
    )
    assert (project / "b.py").read_text() == REWRITTEN


def test_parallel_jobs_give_the_same_files_and_messages_in_order(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    sources = {
        f"r{n:02d}.py": f"op.add_column('t{n}', sa.Column('c', sa.Integer()), schema='crmp')\n"
        for n in range(20)
    }
    sources["r05.py"] = "def broken(:\n    schema = 'crmp'\n"
    serial, parallel = project / "serial", project / "parallel"
    for folder in (serial, parallel):
        folder.mkdir()
        for name, text in sources.items():
            (folder / name).write_text(text)
    assert main(["-j", "1", str(serial)]) == 2
    serial_err = capsys.readouterr().err
    assert main(["-j", "2", str(parallel)]) == 2
    parallel_err = capsys.readouterr().err
    for name in sources:
        assert (serial / name).read_text() == (parallel / name).read_text()
    assert parallel_err.replace(str(parallel), "X") == serial_err.replace(str(serial), "X")
    assert "r05.py:2: cannot parse" in parallel_err


def test_negative_jobs_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["-j", "-1", str(project)]) == 2
    assert capsys.readouterr().err.strip() == "alembic-rewrite: error: --jobs must be >= 0"


def test_config_option_applies_to_files_outside_the_project(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture
) -> None:
    (project / "pyproject.toml").write_text(PYCDS_TOML.replace('"crmp"', '"legacy"'))
    outside = tmp_path_factory.mktemp("drafts") / "draft.py"
    outside.write_text("op.drop_table('t', schema='legacy')\n")
    assert main([str(outside)]) == 0  # nearest pyproject: none, so the default schema only
    assert main(["--config", str(project / "pyproject.toml"), str(outside)]) == 1
    assert "schema=schema_name" in outside.read_text()
    assert main(["--config", str(project / "missing.toml"), str(outside)]) == 2
    assert "missing.toml: no such configuration file" in capsys.readouterr().err
