"""``[tool.pycds-rewrite]``: which literals count as the schema."""

import pytest

from rewriters.config import ConfigError, config_from_table


def test_schema_env_adds_the_schema_a_draft_was_generated_in(monkeypatch):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", "other")
    config = config_from_table({"schema": ["crmp"], "schema-env": "PYCDS_SCHEMA_NAME"})
    assert config.schemas == ("crmp", "other")


def test_schema_env_unset_or_same_changes_nothing(monkeypatch):
    monkeypatch.delenv("PYCDS_SCHEMA_NAME", raising=False)
    table = {"schema": ["crmp"], "schema-env": "PYCDS_SCHEMA_NAME"}
    assert config_from_table(table).schemas == ("crmp",)
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", "crmp")
    assert config_from_table(table).schemas == ("crmp",)


@pytest.mark.parametrize("value", ["", 3])
def test_schema_env_must_name_a_variable(value):
    with pytest.raises(ConfigError, match="'schema-env' must name an environment variable"):
        config_from_table({"schema-env": value})
