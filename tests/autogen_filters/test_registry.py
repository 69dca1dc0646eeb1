"""Loader tests: valid files load; every mistake is a one-line error naming file and rule."""

from pathlib import Path

import pytest

from autogen_filters import PLACEHOLDER_REASON, RegistryError, load_registry
from autogen_filters.registry import parse_registry

REPO = Path(__file__).resolve().parents[2]

GOOD = """
[[rule]]
id = "extra-index"
kind = "index"
table = "obs_raw"
name = "ix_{schema}_obs_raw_vars_id"
difference = "db_only"
reason = "Hand-made production index."

[[rule]]
id = "elev-numeric"
kind = "column"
table = "meta_history"
name = "elev"
difference = "type"
db = "numeric"
orm = "double precision|float.*"
reason = "Production stores elevation as numeric."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> RegistryError:
    path = write(tmp_path, text)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return info.value


def rule(**fields: str) -> str:
    base = {
        "id": "r1",
        "kind": "index",
        "table": "obs_raw",
        "name": "x",
        "difference": "db_only",
        "reason": "because",
    }
    base.update(fields)
    body = "\n".join(f"{key} = {value!r}".replace("'", '"') for key, value in base.items() if value)
    return f"[[rule]]\n{body}\n"


def test_good_file_loads_in_order(tmp_path):
    registry = load_registry(write(tmp_path, GOOD))
    assert [r.id for r in registry] == ["extra-index", "elev-numeric"]
    assert registry.by_id("elev-numeric").db == "numeric"
    assert registry.sources == (str(tmp_path / "rules.toml"),)


def test_schema_placeholder_is_escaped_and_bound(tmp_path):
    compiled = load_registry(write(tmp_path, GOOD)).by_id("extra-index").compile("a.b")
    assert compiled.name.fullmatch("ix_a.b_obs_raw_vars_id")
    assert not compiled.name.fullmatch("ix_aXb_obs_raw_vars_id")


def test_unknown_key(tmp_path):
    error = error_for(tmp_path, rule(colour="red"))
    assert error.rule_id == "r1"
    assert "unknown key(s) colour" in str(error)


def test_unknown_top_level_key(tmp_path):
    assert "unknown top-level key(s) rules" in str(error_for(tmp_path, "[[rules]]\nid='x'\n"))


def test_missing_reason(tmp_path):
    assert "missing 'reason'" in str(error_for(tmp_path, rule(reason="")))


def test_placeholder_reason_is_refused(tmp_path):
    error = error_for(tmp_path, rule(reason=PLACEHOLDER_REASON))
    assert "placeholder" in str(error)
    assert "rule r1" in str(error)


def test_duplicate_id(tmp_path):
    error = error_for(tmp_path, rule() + rule(name="y"))
    assert "rule r1: duplicate id" in str(error)


@pytest.mark.parametrize("pattern", ["ix_(unclosed", "*starts_with_star", "  "])
def test_bad_pattern(tmp_path, pattern):
    error = error_for(tmp_path, rule(name=pattern))
    assert "pattern" in str(error)


def test_bad_value_pattern(tmp_path):
    error = error_for(tmp_path, rule(kind="column", difference="type", db="[numeric"))
    assert "bad 'db' pattern" in str(error)


def test_malformed_toml(tmp_path):
    error = error_for(tmp_path, "[[rule]]\nid = \n")
    assert "malformed TOML" in str(error)


def test_unknown_kind_and_difference(tmp_path):
    assert "unknown kind 'tablespace'" in str(error_for(tmp_path, rule(kind="tablespace")))
    assert "unknown difference 'renamed'" in str(error_for(tmp_path, rule(difference="renamed")))


def test_sequence_kind_explains_where_the_divergence_shows(tmp_path):
    assert "server_default" in str(error_for(tmp_path, rule(kind="sequence")))


def test_attribute_difference_only_for_columns(tmp_path):
    assert "kind 'column' only" in str(error_for(tmp_path, rule(difference="type")))


def test_table_scoped_kind_needs_table(tmp_path):
    assert "needs a 'table' pattern" in str(error_for(tmp_path, rule(table="")))


def test_missing_name_pattern(tmp_path):
    assert "missing 'name'" in str(error_for(tmp_path, rule(name="")))


def test_non_string_value(tmp_path):
    error = error_for(tmp_path, '[[rule]]\nid = "r9"\nkind = 3\n')
    assert "rule r9: 'kind' must be a string" in str(error)


def test_rule_without_id_is_named_by_position(tmp_path):
    error = error_for(tmp_path, rule() + rule(id=""))
    assert "rule #2: missing 'id'" in str(error)


def test_unreadable_file(tmp_path):
    with pytest.raises(RegistryError) as info:
        load_registry(tmp_path / "absent.toml")
    assert "cannot read file" in str(info.value)


def test_aliases_normalise_kinds():
    registry = parse_registry(rule(kind="fk", difference="definition"))
    assert registry.by_id("r1").kind == "foreign_key_constraint"


def test_registries_concatenate_but_keep_ids_unique():
    one = parse_registry(rule(), source="a.toml")
    two = parse_registry(rule(id="r2"), source="b.toml")
    assert [r.id for r in one + two] == ["r1", "r2"]
    with pytest.raises(RegistryError, match=r"b\.toml: rule r1: duplicate id"):
        _ = one + parse_registry(rule(), source="b.toml")


def test_pycds_registry_loads():
    registry = load_registry(REPO / "pycds" / "alembic" / "divergences.toml")
    kinds = {(rule.kind, rule.difference) for rule in registry}
    assert {
        ("table", "db_only"),
        ("column", "type"),
        ("column", "nullable"),
        ("column", "server_default"),
        ("index", "db_only"),
        ("index", "definition"),
        ("foreign_key_constraint", "definition"),
        ("check_constraint", "definition"),
        ("function", "db_only"),
        ("view", "db_only"),
    } <= kinds


EXAMPLED = """
[[rule]]
id = "extra-index"
kind = "index"
table = "obs_raw"
name = "ix_{schema}_obs_raw_vars_id"
difference = "db_only"
reason = "Hand-made production index."
"""


def test_examples_and_counterexamples_are_checked_and_kept_quiet(tmp_path):
    text = EXAMPLED + (
        'examples = ["obs_raw.ix_{schema}_obs_raw_vars_id"]\n'
        'counterexamples = ["obs_raw.ix_{schema}_obs_raw_history_id"]\n'
    )
    (rule,) = load_registry(write(tmp_path, text))
    assert rule.id == "extra-index"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            'examples = ["obs_raw.ix_{schema}_obs_raw_vars_idx"]\n',
            "does not match its example 'obs_raw.ix_{schema}_obs_raw_vars_idx'",
            id="example-not-matched",
        ),
        pytest.param(
            'counterexamples = ["obs_raw.ix_{schema}_obs_raw_vars_id"]\n',
            "matches its counterexample",
            id="counterexample-matched",
        ),
        pytest.param(
            'examples = ["ix_{schema}_obs_raw_vars_id"]\n',
            "must be written 'table.name'",
            id="example-without-table",
        ),
        pytest.param('examples = "obs_raw.x"\n', "must be a list of strings", id="not-a-list"),
    ],
)
def test_rule_failing_its_own_examples_is_refused(tmp_path, extra, message):
    error = error_for(tmp_path, EXAMPLED + extra)
    assert "rule extra-index" in str(error)
    assert message in str(error)


def test_pycds_registry_rules_carry_examples():
    text = (REPO / "pycds" / "alembic" / "divergences.toml").read_text()
    registry = load_registry(REPO / "pycds" / "alembic" / "divergences.toml")
    assert text.count("counterexamples = [") >= 10
    assert len(registry) == text.count("[[rule]]")
