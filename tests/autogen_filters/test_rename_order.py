"""Table renames drafted by autogenerate upgrade, downgrade and upgrade again (issue 9, item 4).

Each case renames a table everywhere in pycds's ORM and entities, as a developer would,
and drafts the revision from it. The draft must hold a rename (no drop + create), apply,
reach the new ORM (``check`` is clean), downgrade back to head (``check`` against pycds's own
ORM is clean) and upgrade again.

The downgrade of a rename used to come last, after the ops that need the old name back:
re-creating a foreign key that points at the table, an index on it, or a view that reads it.

History-tracked tables (the rename carries their history table, its key and the foreign
history ids along) are covered, with writes, by ``tests/pycds/test_tracking_survives_changes``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from tests.autogen_filters.test_end_to_end import SCHEMA, check_clean, config_for
from tests.helpers.orm_changes import renamed_state, upgrade_calls

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _set_null_on_delete(metadata: sa.MetaData) -> None:
    """The FK meta_network.contact_id also changes: its drop + create stay in the draft."""
    (constraint,) = metadata.tables[f"{SCHEMA}.meta_network"].foreign_key_constraints
    constraint.ondelete = "SET NULL"


# case -> (table, new name, further change to the renamed ORM)
CASES = {
    # meta_network.contact_id points at it.
    "incoming_fk": ("meta_contact", "contacts", None),
    # ... and that FK changes too, so it is dropped and re-created around the rename.
    "incoming_fk_changed": ("meta_contact", "contacts", _set_null_on_delete),
    # obs_raw_pcic_flags points at it; discarded_obs_raw_mv reads it, and five matviews read
    # that one, in two levels.
    "matview_chain": ("meta_pcic_flag", "pcic_flags", None),
    # Views (history_join_station_network, crmp_network_geoserver) and a matview read it;
    # two tables point at it; it is history-tracked.
    "views_fks_history": ("meta_station", "stations", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rename_upgrades_downgrades_and_upgrades_again(
    head_db: str, tmp_path: Path, case: str
) -> None:
    table, new, change = CASES[case]
    metadata, entities = renamed_state(table, new)
    if change is not None:
        change(metadata)
    config = config_for(head_db, tmp_path, metadata=metadata, entities=entities)
    # No divergence rule: on a database built by pycds's own migrations there is nothing to
    # suppress, and every re-creation the rename needs must come through.
    registry = tmp_path / "no_rules.toml"
    registry.write_text("")
    config.attributes["divergences"] = str(registry)
    script = command.revision(
        config, message=f"rename {table}", autogenerate=True, version_path=str(tmp_path)
    )
    calls = upgrade_calls(script.path)
    assert ("rename_table", table) in calls, Path(script.path).read_text()
    assert not any(name in {"create_table", "drop_table"} for name, _ in calls)
    if table == "meta_contact":
        # A foreign key that only follows the rename is not re-created; a changed one is.
        assert ("create_foreign_key" in Path(script.path).read_text()) == (change is not None)

    command.upgrade(config, "head")
    check_clean(config)
    command.downgrade(config, "-1")
    head = config_for(head_db, tmp_path)
    head.attributes["divergences"] = str(registry)
    Path(script.path).rename(tmp_path / "draft.py.txt")  # back to pycds's own head
    check_clean(head)
    Path(tmp_path / "draft.py.txt").rename(script.path)
    command.upgrade(config, "head")
    check_clean(config)
