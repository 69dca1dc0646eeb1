"""Hostile registry files end in one line naming the file and the rule, never a hang or a
traceback (issue 12, found item 12): catastrophic backtracking at load and at match time, a
pattern nested too deeply to compile, a file that is not UTF-8."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.util import CommandError

from autogen_filters import Matcher, RegistryError, Subject, load_registry
from autogen_filters.registry import MATCH_TIMEOUT, RegistryMatchError, parse_registry

ROOT = Path(__file__).resolve().parents[2]
LONG_NAME = "a" * 40_000 + "!"

RULE = """
[[rule]]
id = "{rule_id}"
kind = "table"
name = '''{name}'''
difference = "db_only"
reason = "Hostile pattern under test."
{extra}
"""


def _rule(name: str, *, rule_id: str = "evil", extra: str = "") -> str:
    return RULE.format(rule_id=rule_id, name=name, extra=extra)


def _one_line(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text
    return text


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$"])
def test_backtracking_pattern_on_a_long_example_fails_at_load_in_bounded_time(pattern):
    text = _rule(pattern, extra=f'examples = ["{LONG_NAME}"]')
    started = time.monotonic()
    with pytest.raises(RegistryError) as raised:
        parse_registry(text, source="rules.toml")
    assert time.monotonic() - started < 10 * MATCH_TIMEOUT + 5
    line = _one_line(raised.value)
    assert line.startswith("rules.toml: rule evil: ")
    assert "took over" in line and pattern in line


def test_backtracking_pattern_fails_at_match_time_naming_the_rule():
    registry = parse_registry(_rule(r"(a+)+$"), source="rules.toml")
    matcher = Matcher(registry, "crmp")
    # A short name is matched as usual...
    assert matcher.find(Subject("table", "db_only", "crmp", None, "aaa")) is not None
    started = time.monotonic()
    with pytest.raises(RegistryMatchError) as raised:
        matcher.find(Subject("table", "db_only", "crmp", None, LONG_NAME))
    assert time.monotonic() - started < 10 * MATCH_TIMEOUT + 5
    line = _one_line(raised.value)
    assert line.startswith("rules.toml: rule evil: 'name' pattern")
    # ...and Alembic reports this error as one "FAILED:" line, like its own.
    assert isinstance(raised.value, CommandError)


def test_pattern_nested_too_deeply_is_one_line():
    deep = "(" * 3000 + "a" + ")" * 3000
    with pytest.raises(RegistryError) as raised:
        parse_registry(_rule(deep, rule_id="deep"), source="rules.toml")
    line = _one_line(raised.value)
    assert line.startswith("rules.toml: rule deep: bad 'name' pattern")
    assert "nested too deeply" in line
    assert len(line) < 300


def test_latin1_registry_file_is_one_line(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_bytes(_rule("x", extra="# réglé").encode("latin-1"))
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    line = _one_line(raised.value)
    assert line.startswith(f"{path}: not UTF-8")


def _alembic_check_with(tmp_path: Path, rules: Path) -> subprocess.CompletedProcess[str]:
    ini = tmp_path / "alembic.ini"
    text = (ROOT / "alembic.ini").read_text().replace("%(here)s", str(ROOT))
    ini.write_text(text.replace(f"{ROOT}/pycds/alembic/divergences.toml", str(rules)))
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "-x", "db=ref", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.mark.parametrize("case", ["backtracking", "deep", "latin-1"])
def test_alembic_check_reports_a_hostile_registry_in_one_line(tmp_path, case):
    rules = tmp_path / "rules.toml"
    if case == "backtracking":
        rules.write_text(_rule(r"(a|aa)+$", extra=f'examples = ["{LONG_NAME}"]'))
    elif case == "deep":
        rules.write_text(_rule("(" * 3000 + "a" + ")" * 3000))
    else:
        rules.write_bytes(_rule("x", extra="# réglé").encode("latin-1"))
    done = _alembic_check_with(tmp_path, rules)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode != 0
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"FAILED: {rules}")
    if case != "latin-1":
        assert "rule evil" in lines[0]


ACKNOWLEDGE = """
[[acknowledge]]
hazard = "column-type-change"
table = '''{table}'''
reason = "Hostile acknowledgement pattern under test."
"""


def test_backtracking_acknowledgement_fails_at_match_time_in_one_line(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(ACKNOWLEDGE.format(table=r"(a+)+$"))
    (acknowledgement,) = load_registry(path).acknowledgements
    started = time.monotonic()
    with pytest.raises(CommandError) as caught:
        acknowledgement.covers("column-type-change", "s", LONG_NAME, "datum", managed="s")
    assert time.monotonic() - started < 10 * MATCH_TIMEOUT
    assert "acknowledge (column-type-change)" in _one_line(caught.value)
    assert acknowledgement.covers("column-type-change", "s", "a" * 10, "datum", managed="s")


def test_acknowledgement_pattern_nested_too_deeply_is_one_line(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(ACKNOWLEDGE.format(table="(" * 3000 + "a" + ")" * 3000))
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert "bad 'table' pattern" in _one_line(caught.value)
