"""A clinician event can withdraw an earlier one: `clinician_events.withdraws` names it.

No foreign key on purpose: an archive restores each table's rows in key order, so a withdraw
may arrive before the event it names; the service checks the link when it is made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clinician_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdraws", sa.String(length=32), nullable=True))
        batch_op.create_index("uq_clinician_events_withdraws", ["withdraws"], unique=True)


def downgrade() -> None:
    # The withdraw rows go too: without the column they would read as events in force.
    op.execute("DELETE FROM clinician_events WHERE kind = 'withdraw'")
    with op.batch_alter_table("clinician_events", schema=None) as batch_op:
        batch_op.drop_index("uq_clinician_events_withdraws")
        batch_op.drop_column("withdraws")
