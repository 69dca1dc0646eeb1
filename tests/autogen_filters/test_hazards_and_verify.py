"""On real PostgreSQL, through pycds's env.py: the hazard report in the draft header and on the
console (scaled by pg_class.reltuples), acknowledgements, ``-x hazards=error``, and
``-x verify=true`` judging each step on a seeded copy, including deliberately broken drafts."""

from __future__ import annotations

import argparse
import copy
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.util import CommandError
from test_end_to_end import REGISTRY, config_for, copy_metadata, table

from autogen_filters.verify import PENDING_LINE, DraftVerifier, VerifyFailed
from pycds import get_schema_name
from pycds.replaceables import declared_entities
from pycds.sample_rows import seed

pytestmark = pytest.mark.db

SCHEMA = get_schema_name()


def draft(url: str, tmp_path: Path, metadata: sa.MetaData, *x: str, registry: Path | None = None):
    """Autogenerate against ``url`` with ``-x`` arguments; return (draft text, config)."""
    config = config_for(url, tmp_path, metadata=metadata)
    config.cmd_opts = argparse.Namespace(x=list(x))
    if registry is not None:
        config.attributes["divergences"] = str(registry)
    script = command.revision(
        config, message="hazards", autogenerate=True, version_path=str(tmp_path)
    )
    return Path(script.path).read_text(), config


def set_row_estimate(url: str, name: str, rows: float) -> None:
    """Make the reference database look as large as production (pg_class.reltuples)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE pg_class SET reltuples = :rows WHERE oid = CAST(:name AS regclass)"),
            {"rows": rows, "name": f"{SCHEMA}.{name}"},
        )
    engine.dispose()


def header(text: str) -> str:
    """The comment blocks of a draft as one line, wrapped lines joined, spaces collapsed."""
    comments = (line.lstrip("#") for line in text.splitlines() if line.startswith("#"))
    return " ".join(" ".join(comments).split())


def obs_raw_datum_to_numeric() -> sa.MetaData:
    metadata = copy_metadata()
    obs_raw = table(metadata, "obs_raw")
    obs_raw.c.datum.type = sa.Numeric()
    sa.Index("ix_obs_raw_datum", obs_raw.c.datum)
    return metadata


def without_phone(**info) -> sa.MetaData:
    metadata = copy_metadata()
    contact = table(metadata, "meta_contact")
    contact._columns.remove(contact.c.phone)
    contact.info.update(info)
    return metadata


# --- hazards ------------------------------------------------------------------------------------


def test_type_change_on_obs_raw_lists_rewrite_and_lock_hazards(head_db, tmp_path, capsys):
    set_row_estimate(head_db, "obs_raw", 1e9)
    text, _ = draft(head_db, tmp_path, obs_raw_datum_to_numeric())
    top = header(text)
    assert re.search(
        rf"\[column-type-change\] {SCHEMA}\.obs_raw\.datum: DOUBLE PRECISION -> NUMERIC: rewrites "
        r"the table",
        top,
    )
    assert "~1,000,000,000 rows" in top
    assert f"[index-not-concurrent] {SCHEMA}.obs_raw.ix_obs_raw_datum" in top
    assert "risk (table rewrite or long lock)" in top and "safer: Create it with" in top
    console = capsys.readouterr().err
    assert f"[column-type-change] {SCHEMA}.obs_raw.datum" in console
    assert f"[index-not-concurrent] {SCHEMA}.obs_raw.ix_obs_raw_datum" in console


def test_the_same_change_on_a_small_table_has_no_index_warning(head_db, tmp_path):
    set_row_estimate(head_db, "obs_raw", 10)
    top = header(draft(head_db, tmp_path, obs_raw_datum_to_numeric())[0])
    assert f"[column-type-change] {SCHEMA}.obs_raw.datum" in top and "(~10 rows)" in top
    assert "index-not-concurrent" not in top


def test_a_drop_lists_data_loss(head_db, tmp_path):
    top = header(draft(head_db, tmp_path, without_phone())[0])
    assert f"[drop-column] {SCHEMA}.meta_contact.phone: drops the column" in top
    assert "risk (data loss): DROP COLUMN deletes the column's values" in top


def test_acknowledgements_keep_the_hazard_and_show_the_reason(head_db, tmp_path):
    set_row_estimate(head_db, "obs_raw", 1e9)
    metadata = obs_raw_datum_to_numeric()
    table(metadata, "obs_raw").c.datum.info["acknowledge_hazards"] = {
        "column-type-change": "Rewritten offline during the planned outage"
    }
    registry = tmp_path / "divergences.toml"
    registry.write_text(
        REGISTRY.read_text()
        + '\n[[acknowledge]]\nhazard = "index-not-concurrent"\ntable = "obs_raw"\n'
        'name = "ix_obs_raw_datum"\nreason = "Built before the outage, in a quiet hour"\n'
    )
    top = header(draft(head_db, tmp_path, metadata, registry=registry)[0])
    assert f"[column-type-change] {SCHEMA}.obs_raw.datum" in top
    assert "acknowledged (ORM info): Rewritten offline during the planned outage" in top
    assert f"acknowledged ({registry}): Built before the outage, in a quiet hour" in top
    assert "safer: Add a new column" not in top  # acknowledged: no advice repeated


def test_hazards_error_fails_in_one_line_and_writes_no_draft(head_db, tmp_path):
    with pytest.raises(CommandError) as raised:
        draft(head_db, tmp_path, without_phone(), "hazards=error")
    message = str(raised.value)
    assert message.startswith("autogen_filters: hazards=error: 1 unacknowledged hazard(s)")
    assert f"drop-column {SCHEMA}.meta_contact.phone" in message and "\n" not in message
    assert not list(tmp_path.glob("*.py"))


def test_hazards_error_passes_once_every_hazard_is_acknowledged(head_db, tmp_path):
    info = {"acknowledge_hazards": {"drop-column": "phone numbers moved to the CRM"}}
    text, _ = draft(head_db, tmp_path, without_phone(**info), "hazards=error")
    assert "acknowledged (ORM info): phone numbers moved to the CRM" in header(text)


def test_an_unknown_hazards_mode_is_one_line(head_db, tmp_path):
    with pytest.raises(CommandError, match=r"hazards='loud': expected one of warn, error, off"):
        draft(head_db, tmp_path, without_phone(), "hazards=loud")


# --- verify -------------------------------------------------------------------------------------


def _copies_left(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        names = conn.scalars(sa.text("SELECT datname FROM pg_database WHERE datname ~ '_verify_'"))
        found = [name for name in names if name.startswith(sa.engine.make_url(url).database)]
    engine.dispose()
    return found


def test_verify_reports_a_verdict_per_step(head_db, tmp_path, capsys):
    metadata = copy_metadata()
    contact = table(metadata, "meta_contact")
    contact._columns.remove(contact.c.phone)
    contact.append_column(sa.Column("telephone", sa.String, info={"renamed_from": "phone"}))
    contact.append_column(sa.Column("note", sa.Text))
    text, _ = draft(head_db, tmp_path, metadata, "verify=true")
    top = header(text)
    assert PENDING_LINE not in text
    for line in (
        "ok upgrade upgrade head succeeded on the seeded copy",
        "ok check clean",
        "ok writes succeed on meta_contact (insert + update)",
        "ok renames values kept: meta_contact.phone -> meta_contact.telephone (2 values)",
        "ok downgrade schema restored",
        "Verdict: passed",
    ):
        assert line in top, top
    assert "Verdict: passed" in capsys.readouterr().err
    assert _copies_left(head_db) == []


def test_verify_catches_a_failing_upgrade_and_keeps_the_draft(head_db, tmp_path):
    metadata = copy_metadata()
    table(metadata, "meta_contact").append_column(sa.Column("note", sa.Text, nullable=False))
    with pytest.raises(VerifyFailed) as raised:
        draft(head_db, tmp_path, metadata, "verify=true")
    assert 'verify: upgrade failed: column "note" of relation "meta_contact" contains null' in (
        str(raised.value)
    )
    [written] = tmp_path.glob("*.py")
    top = header(written.read_text())
    assert 'FAIL upgrade column "note" of relation "meta_contact" contains null' in top
    for step in ("check", "writes", "renames", "downgrade"):
        assert f"not run {step} upgrade failed" in top
    assert "Verdict: FAILED at upgrade" in top
    # The hazard report had already warned about it.
    assert f"[required-column-without-default] {SCHEMA}.meta_contact.note" in top
    assert _copies_left(head_db) == []


def test_verify_catches_a_downgrade_that_does_not_restore_the_schema(head_db, tmp_path):
    metadata = copy_metadata()
    table(metadata, "meta_contact").append_column(sa.Column("note", sa.Text))
    text, config = draft(head_db, tmp_path, metadata)
    [path] = tmp_path.glob("*.py")
    broken = re.sub(
        r"def downgrade\(\) -> None:\n(.|\n)*", "def downgrade() -> None:\n    pass\n", text
    )
    path.write_text(broken)
    verdict = DraftVerifier(config, url=head_db, schema=SCHEMA, seed=seed).verify(path)
    statuses = {step.name: step.status for step in verdict.steps}
    assert statuses == {
        "upgrade": "ok", "check": "ok", "writes": "ok", "renames": "skip", "downgrade": "FAIL",
    }  # fmt: skip
    assert verdict.failed.detail == "schema not restored: column meta_contact.note: left over"


def test_a_column_re_added_at_the_end_is_restored_with_a_note(head_db, tmp_path):
    metadata = copy_metadata()
    contact = table(metadata, "meta_contact")
    contact._columns.remove(contact.c.title)
    text, _ = draft(head_db, tmp_path, metadata, "verify=true")
    # The downgrade re-adds title as the last column: same columns, another order.
    assert "ok downgrade schema restored" in header(text)
    assert "writes succeed; column order differs in meta_contact" in header(text)


def test_a_changed_function_lists_the_matviews_it_leaves_stale(head_db, tmp_path):
    def change(entity):
        if entity.type_ == "function" and entity.signature.startswith("daysinmonth("):
            entity = copy.copy(entity)
            entity.definition = entity.definition.replace(
                "SELECT date_part", "SELECT 0 + date_part"
            )
        return entity

    config = config_for(head_db, tmp_path, entities=[change(e) for e in declared_entities(SCHEMA)])
    script = command.revision(config, message="f", autogenerate=True, version_path=str(tmp_path))
    top = header(Path(script.path).read_text())
    # monthly_* use daysinmonth() directly; PostgreSQL records it in pg_depend.
    for matview in (
        "monthly_total_precipitation_mv",
        "monthly_average_of_daily_min_temperature_mv",
    ):
        assert f"[stale-matview] {SCHEMA}.{matview}: uses daysinmonth(), which this draft" in top
