"""The rules autogen-baseline writes, without a database: one rule per distinct pattern set."""

from __future__ import annotations

from autogen_filters import PLACEHOLDER_REASON, Matcher
from autogen_filters.baseline import rules_toml
from autogen_filters.matching import Subject
from autogen_filters.registry import parse_registry


def _filled(text: str) -> str:
    return text.replace(PLACEHOLDER_REASON, "Accepted in a test.")


def test_grants_of_one_role_on_one_table_make_one_rule():
    # alembic-utils has one grant entity per privilege: inspector's ALL on meta_history is
    # seven db_only grants of the same table and role.
    grants = [Subject("grant_table", "db_only", "crmp", "meta_history", "inspector")] * 7
    other = Subject("grant_table", "db_only", "crmp", "meta_station", "inspector")
    text = rules_toml([*grants, other])
    assert text.count("[[rule]]") == 2
    registry = parse_registry(_filled(text), source="rules.toml")
    matcher = Matcher(registry, "crmp")
    for subject in (*grants, other):
        assert matcher.suppress(subject) is not None
    assert matcher.stale_rules() == []


def test_distinct_differences_keep_their_own_rules():
    subjects = [
        Subject("column", "type", "crmp", "obs_raw", "datum", db="REAL", orm="FLOAT"),
        Subject("column", "type", "crmp", "obs_raw_hx", "datum", db="REAL", orm="FLOAT"),
        Subject("column", "nullable", "crmp", "obs_raw", "datum", db="not null", orm="null"),
    ]
    assert rules_toml(subjects).count("[[rule]]") == 3
