"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
## --- autogen_filters report ---
## Known divergences hidden by autogen_filters (rule id, reason) and stale rules; empty
## for plain revisions. Set by AutogenFilters through template_args.
<% _autogen_report = context.get("autogen_filters_report", "") %>\
% if _autogen_report:
${_autogen_report}

% endif
## Hazards of the draft, and the verdict of -x verify=true (filled in after writing).
<% _autogen_hazards = context.get("autogen_filters_hazards", "") %>\
% if _autogen_hazards:
${_autogen_hazards}

% endif
<% _autogen_verify = context.get("autogen_filters_verify", "") %>\
% if _autogen_verify:
${_autogen_verify}

% endif
## --- end autogen_filters report ---
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pycds import get_schema_name
${imports if imports else ""}
# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}

# Every object lives in the schema chosen at run time with PYCDS_SCHEMA_NAME.
schema_name = get_schema_name()


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
