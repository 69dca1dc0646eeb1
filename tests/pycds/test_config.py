import pytest

from pycds import (
    ConfigurationError,
    get_schema_name,
    get_standard_table_privileges,
    get_su_role_name,
)


@pytest.mark.parametrize("value", ["crmp", "other", "_x", "a$b", "x" * 63])
def test_schema_name_accepts_plain_identifiers(monkeypatch, value):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", value)
    assert get_schema_name() == value


def test_schema_name_defaults_to_crmp(monkeypatch):
    monkeypatch.delenv("PYCDS_SCHEMA_NAME", raising=False)
    assert get_schema_name() == "crmp"


@pytest.mark.parametrize(
    "value",
    ["", "Crmp", "1crmp", "crmp; drop table x", 'crmp"', "cr mp", "x" * 64, "crmp.public"],
)
def test_schema_name_rejects_anything_else_in_one_line(monkeypatch, value):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", value)
    with pytest.raises(ConfigurationError) as raised:
        get_schema_name()
    assert "PYCDS_SCHEMA_NAME" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_su_role_name(monkeypatch):
    monkeypatch.delenv("PYCDS_SU_ROLE_NAME", raising=False)
    assert get_su_role_name() == "pcicdba"
    monkeypatch.setenv("PYCDS_SU_ROLE_NAME", "dba")
    assert get_su_role_name() == "dba"
    monkeypatch.setenv("PYCDS_SU_ROLE_NAME", "dba; select 1")
    with pytest.raises(ConfigurationError):
        get_su_role_name()


def test_standard_privileges_default(monkeypatch):
    monkeypatch.delenv("PYCDS_STANDARD_TABLE_PRIVS", raising=False)
    assert get_standard_table_privileges() == [
        ("inspector", ["SELECT"]),
        ("viewer", ["SELECT"]),
        ("steward", ["ALL"]),
    ]


def test_standard_privileges_grammar_ignores_whitespace(monkeypatch):
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", " a : select ,insert ;; b:ALL ")
    assert get_standard_table_privileges() == [("a", ["SELECT", "INSERT"]), ("b", ["ALL"])]


@pytest.mark.parametrize("value", ["a", "a: drop", "a:", "A b: select"])
def test_standard_privileges_rejects_bad_entries(monkeypatch, value):
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", value)
    with pytest.raises(ConfigurationError):
        get_standard_table_privileges()
