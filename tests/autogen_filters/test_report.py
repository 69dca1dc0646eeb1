"""The run report: draft comment block and console summary, from suppressions and stale rules."""

from autogen_filters.matching import Subject, Suppression
from autogen_filters.registry import parse_registry
from autogen_filters.report import RunReport

RULES = parse_registry(
    """
[[rule]]
id = "legacy-view"
kind = "view"
name = "daily_agg|monthly_agg"
difference = "db_only"
reason = "Maintained by the legacy SQL scripts."

[[rule]]
id = "never-used"
kind = "table"
name = "ghost"
difference = "db_only"
reason = "Kept for an old database."
""",
    source="rules.toml",
)
LEGACY, UNUSED = RULES


def _report() -> RunReport:
    suppressions = tuple(
        Suppression(LEGACY, Subject("view", "db_only", "crmp", None, name))
        for name in ("monthly_agg", "daily_agg")
    )
    return RunReport(suppressions, stale=(UNUSED,), sources=("rules.toml",), remaining=0)


def test_console_summary_lists_each_suppression_under_its_rule():
    lines = _report().console_summary().splitlines()
    assert lines[0] == "autogen_filters: 2 known divergence(s) suppressed by 1 rule(s):"
    assert lines[1] == "  [legacy-view]"
    assert lines[2].startswith("    - view crmp.daily_agg")
    assert lines[3].startswith("    - view crmp.monthly_agg")
    assert lines[4] == "autogen_filters: stale rule(s), matched nothing: never-used"


def test_comment_block_gives_rule_ids_reasons_and_stale_rules():
    block = _report().comment_block()
    assert all(line.startswith("#") for line in block.splitlines())
    assert "[legacy-view] Maintained by the legacy SQL scripts." in block
    assert "Stale rules: matched nothing in this run (1)" in block
    assert "[never-used]" in block


def test_nothing_to_say_is_an_empty_block_and_a_zero_count():
    empty = RunReport((), stale=(), sources=("rules.toml",), remaining=0)
    assert empty.comment_block() == ""
    assert empty.console_summary() == (
        "autogen_filters: 0 known divergence(s) suppressed by 0 rule(s)"
    )
