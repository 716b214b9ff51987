"""Activity details the importers read (part, sub-sport, name, partial flag and warnings,
running dynamics), and one shoe per name for each athlete.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITY_COLUMNS = (
    "part",
    "sub_sport",
    "name",
    "partial",
    "warnings",
    "gct_ms_avg",
    "stance_balance_left_pct_avg",
    "vertical_oscillation_mm_avg",
)


def upgrade() -> None:
    # Plain ADD COLUMNs, so SQLite does not copy the table; rows already there get the defaults.
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("sub_sport", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("partial", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("warnings", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("gct_ms_avg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("stance_balance_left_pct_avg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("vertical_oscillation_mm_avg", sa.Float(), nullable=True))
    # A unique index, not a constraint: on SQLite a constraint would mean copying the shoes
    # table, and dropping the old copy would null every activity's shoe (ON DELETE SET NULL).
    with op.batch_alter_table("shoes", schema=None) as batch_op:
        batch_op.create_index("uq_shoes_name", ["athlete_id", "name"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("shoes", schema=None) as batch_op:
        batch_op.drop_index("uq_shoes_name")
    # Nothing refers to activities, so SQLite may copy it to drop the columns.
    with op.batch_alter_table("activities", schema=None) as batch_op:
        for column in reversed(ACTIVITY_COLUMNS):
            batch_op.drop_column(column)
