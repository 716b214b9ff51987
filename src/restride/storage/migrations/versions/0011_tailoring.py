"""A clinician's tailoring of the program (RTR-7): the phase, days, week or protocol it sets.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clinician_events") as batch_op:
        batch_op.add_column(sa.Column("phase", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("week", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("protocol", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clinician_events") as batch_op:
        batch_op.drop_column("protocol")
        batch_op.drop_column("week")
        batch_op.drop_column("days")
        batch_op.drop_column("phase")
