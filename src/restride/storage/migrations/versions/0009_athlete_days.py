"""The athlete's day, computed once: today's decision, the board's summary, a replay checkpoint.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "athlete_days",
        sa.Column("athlete_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("checkpoint_day", sa.Date(), nullable=True),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("phase_title", sa.String(length=100), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("referral", sa.String(length=20), nullable=False),
        sa.Column("attention", sa.Text(), nullable=False),
        sa.Column("signals", sa.String(length=200), nullable=False),
        sa.Column("attention_rank", sa.Integer(), nullable=False),
        sa.Column("last_checkin", sa.Date(), nullable=True),
        sa.Column("worst_pain_week", sa.Integer(), nullable=True),
        sa.Column("pain_trend", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["accounts.id"],
            name=op.f("fk_athlete_days_athlete_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_athlete_days_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("athlete_id", name=op.f("pk_athlete_days")),
    )
    with op.batch_alter_table("athlete_days", schema=None) as batch_op:
        batch_op.create_index("ix_athlete_days_board", ["attention_rank", "name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_athlete_days_episode_id"), ["episode_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("athlete_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_athlete_days_episode_id"))
        batch_op.drop_index("ix_athlete_days_board")
    op.drop_table("athlete_days")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_column("revision")
