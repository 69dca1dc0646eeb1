"""Schema literals inside f-strings (issue 12, found item 14): rewritten when unambiguous,
else reported like other strings; either way ``--check`` no longer passes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriters.cli import main

from .rewriters_testlib import HEADER, IMPORTED_HEADER, PYCDS_TOML, run_schema


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            'op.execute(f"UPDATE crmp.meta_network SET n = {n}")',
            'op.execute(f"UPDATE {schema_name}.meta_network SET n = {n}")',
        ),
        ('op.drop_table("t", schema=f"crmp")', 'op.drop_table("t", schema=schema_name)'),
        (
            'sa.ForeignKey(f"crmp.meta_vars.{column}")',
            'sa.ForeignKey(f"{schema_name}.meta_vars.{column}")',
        ),
        (
            "op.execute(sa.text(f'SELECT * FROM \"crmp\".t WHERE a = {a!r:>3}'))",
            "op.execute(sa.text(f'SELECT * FROM \"{schema_name}\".t WHERE a = {a!r:>3}'))",
        ),
        (
            "op.execute(rf\"UPDATE crmp.t SET p = '\\d' || {n}\")",
            "op.execute(rf\"UPDATE {schema_name}.t SET p = '\\d' || {n}\")",
        ),
    ],
)
def test_unambiguous_fstrings_are_rewritten(before, after):
    code, diagnostics = run_schema(HEADER + f"\n\ndef upgrade():\n    {before}\n")
    assert code == IMPORTED_HEADER + f"\n\ndef upgrade():\n    {after}\n"
    assert diagnostics == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('op.execute(f"UPDATE {prefix}crmp.t SET a = 1")', "string names the schema"),
        ("op.execute(f\"SELECT 'crmp.t' || {n}\")", "schema name inside an SQL string literal"),
        ("op.execute(f\"UPDATE crmp.t SET a = '\\n' || {n}\")", "string names the schema"),
        ('label = f"crmp.{table}"', "string names the schema"),
    ],
)
def test_ambiguous_fstrings_are_reported_and_left_alone(line, message):
    source = HEADER + f"\n\ndef upgrade():\n    {line}\n"
    code, diagnostics = run_schema(source)
    assert code == source
    assert len(diagnostics) == 1
    assert diagnostics[0].startswith("7: ") and message in diagnostics[0]


def test_fstring_docstrings_are_documentation():
    source = HEADER + '\n\ndef upgrade():\n    f"""Moves crmp.t to {where}."""\n'
    assert run_schema(source) == (source, [])


def test_check_no_longer_passes_schema_literals_in_fstrings(tmp_path: Path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(PYCDS_TOML)
    monkeypatch.chdir(tmp_path)
    rewritable, reported = tmp_path / "a.py", tmp_path / "b.py"
    rewritable.write_text(HEADER + 'op.execute(f"UPDATE crmp.meta_network SET n = {n}")\n')
    reported.write_text(HEADER + 'op.execute(f"UPDATE {p}crmp.meta_network SET n = 1")\n')
    assert main(["--check", str(rewritable)]) == 1
    assert main(["--check", str(reported)]) == 0  # diagnostics do not change the status...
    err = capsys.readouterr().err
    assert f"Rewriting {rewritable} (--check: not written)" in err
    assert f"{reported}:4: string names the schema" in err  # ...but are printed
