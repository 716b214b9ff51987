"""What the engine's memory needs stored: a clear's scope (RTR-9) and a session's activity.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clinician_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=10), nullable=False, server_default="standing")
        )
        batch_op.add_column(sa.Column("flag", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("gate", sa.String(length=40), nullable=True))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activity", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("activity")
    with op.batch_alter_table("clinician_events", schema=None) as batch_op:
        batch_op.drop_column("gate")
        batch_op.drop_column("flag")
        batch_op.drop_column("scope")
