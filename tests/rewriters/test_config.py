"""``[tool.alembic-rewrite]``: each plugin's table, its keys checked on load."""

import pytest

from rewriters.config import ConfigError, RewriteConfig, config_from_table


def test_schema_env_adds_the_schema_a_draft_was_generated_in(monkeypatch):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", "other")
    config = config_from_table({"schema": {"schema": ["crmp"], "schema-env": "PYCDS_SCHEMA_NAME"}})
    assert config.schemas == ("crmp", "other")


def test_schema_env_unset_or_same_changes_nothing(monkeypatch):
    monkeypatch.delenv("PYCDS_SCHEMA_NAME", raising=False)
    table = {"schema": {"schema": ["crmp"], "schema-env": "PYCDS_SCHEMA_NAME"}}
    assert config_from_table(table).schemas == ("crmp",)
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", "crmp")
    assert config_from_table(table).schemas == ("crmp",)


@pytest.mark.parametrize("value", ["", 3])
def test_schema_env_must_name_a_variable(value):
    with pytest.raises(ConfigError, match="'schema-env' must name an environment variable"):
        config_from_table({"schema": {"schema": ["x"], "schema-env": value}})


def test_no_configuration_assumes_no_schema_and_no_call():
    config = config_from_table({})
    assert config == RewriteConfig()
    assert config.schemas == ()
    assert "pycds" not in config.schema_call


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"schemas": {}}, r"unknown rewriter\(s\) \['schemas'\] in \[tool.alembic-rewrite\]"),
        ({"schema": {"schema": ["x"], "call": "f"}}, r"unknown key\(s\) \['call'\]"),
        ({"role": {"roles": {"dba": "not a name"}}}, "'roles.dba' must be a dotted Python name"),
        ({"rename": {"enabled": "yes"}}, "'enabled' must be true or false"),
    ],
)
def test_unknown_or_bad_keys_are_one_line_errors(table, message):
    with pytest.raises(ConfigError, match=message) as caught:
        config_from_table(table, "pyproject.toml")
    assert "\n" not in str(caught.value)


def test_the_old_table_is_a_one_line_error(tmp_path):
    from rewriters.config import load_config

    (tmp_path / "pyproject.toml").write_text('[tool.pycds-rewrite]\nschema = ["crmp"]\n')
    with pytest.raises(ConfigError, match=r"\[tool.pycds-rewrite\] is now \[tool.alembic-rewrite"):
        load_config(tmp_path)
