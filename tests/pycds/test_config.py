import pytest

from pycds import (
    ConfigurationError,
    get_schema_name,
    get_standard_table_privileges,
    get_su_role_name,
    validate_configuration,
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


@pytest.mark.parametrize("value", ["select", "user", "current_user", "table", "pg_temp", "pg_x"])
def test_schema_name_rejects_reserved_words_and_the_pg_prefix(monkeypatch, value):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", value)
    with pytest.raises(ConfigurationError, match="PYCDS_SCHEMA_NAME"):
        get_schema_name()


@pytest.mark.parametrize(
    "value", ["public", "none", "current_user", "session_user", "current_role", "user", "pg_x"]
)
def test_su_role_rejects_names_that_are_not_real_roles(monkeypatch, value):
    monkeypatch.setenv("PYCDS_SU_ROLE_NAME", value)
    with pytest.raises(ConfigurationError, match="PYCDS_SU_ROLE_NAME") as raised:
        get_su_role_name()
    assert "\n" not in str(raised.value)


def test_grants_to_public_need_the_explicit_opt_in(monkeypatch):
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", "public: SELECT; steward: ALL")
    monkeypatch.delenv("PYCDS_ALLOW_PUBLIC_GRANTS", raising=False)
    with pytest.raises(ConfigurationError, match="PYCDS_ALLOW_PUBLIC_GRANTS=true"):
        get_standard_table_privileges()
    monkeypatch.setenv("PYCDS_ALLOW_PUBLIC_GRANTS", "false")
    with pytest.raises(ConfigurationError):
        get_standard_table_privileges()
    monkeypatch.setenv("PYCDS_ALLOW_PUBLIC_GRANTS", "true")
    assert get_standard_table_privileges() == [("public", ["SELECT"]), ("steward", ["ALL"])]
    monkeypatch.setenv("PYCDS_ALLOW_PUBLIC_GRANTS", "maybe")
    with pytest.raises(ConfigurationError, match="PYCDS_ALLOW_PUBLIC_GRANTS"):
        get_standard_table_privileges()


@pytest.mark.parametrize("role", ["none", "current_user", "pg_read_all_data"])
def test_standard_privileges_reject_roles_that_cannot_be_created(monkeypatch, role):
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", f"{role}: SELECT")
    monkeypatch.setenv("PYCDS_ALLOW_PUBLIC_GRANTS", "true")
    with pytest.raises(ConfigurationError, match="PYCDS_STANDARD_TABLE_PRIVS"):
        get_standard_table_privileges()


def test_validate_configuration_checks_every_setting(monkeypatch):
    monkeypatch.setenv("PYCDS_SCHEMA_NAME", "other")
    monkeypatch.setenv("PYCDS_SU_ROLE_NAME", "dba")
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", "viewer: SELECT")
    config = validate_configuration()
    assert (config.schema_name, config.su_role_name) == ("other", "dba")
    assert config.standard_table_privileges == [("viewer", ["SELECT"])]
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", "public: ALL")
    with pytest.raises(ConfigurationError):
        validate_configuration()
