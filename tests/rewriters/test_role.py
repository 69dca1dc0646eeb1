"""The role plugin through the command, as a project configures it in its pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriters.cli import main
from rewriters.plugins.role import role_spans

ROLE_TOML = '[tool.alembic-rewrite.role]\nroles = { pcicdba = "pycds.get_su_role_name" }\n'


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ("SET ROLE pcicdba", ["pcicdba"]),
        ("set role PCICDBA;", ["PCICDBA"]),
        ('GRANT ALL ON t TO "pcicdba", other', ["pcicdba"]),
        ("REVOKE ALL ON t FROM pcicdba", ["pcicdba"]),
        ("ALTER FUNCTION f() OWNER TO pcicdba", ["pcicdba"]),
        ("SELECT pcicdba FROM t", []),
        ("GRANT SELECT ON pcicdba.t TO x", []),
        ("GRANT SELECT ON t TO pcicdba_ro", []),
    ],
)
def test_role_spans(sql: str, found: list[str]) -> None:
    assert [sql[a:b] for a, b in role_spans(sql, "pcicdba")] == found


def test_cli_rewrites_roles_when_configured(tmp_path: Path, capsys) -> None:
    (tmp_path / "pyproject.toml").write_text(ROLE_TOML)
    path = tmp_path / "m.py"
    path.write_text(
        'from alembic import op\n\n\ndef upgrade():\n    op.execute("SET ROLE pcicdba")\n'
    )
    assert main([str(path)]) == 1
    assert path.read_text() == (
        "from alembic import op\nfrom pycds import get_su_role_name\n\n\ndef upgrade():\n"
        '    op.execute(f"SET ROLE {get_su_role_name()}")\n'
    )
    assert main([str(path)]) == 0


def test_cli_bad_role_config_is_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.alembic-rewrite.role]\nrole = 'x'\n")
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown key(s) ['role'] in [tool.alembic-rewrite.role]" in err
