"""Reliability: an index for imports' twin lookups, sign-in attempts by kind and device,
trusted devices, and the audit log of clinicians' reads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_athlete_start", ["athlete_id", "start_time"])
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="sign_in")
        )
        batch_op.add_column(sa.Column("device", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_sign_in_failures_device_at", ["device", "at"])
    op.create_table(
        "trusted_devices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_trusted_devices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_trusted_devices_token_hash")),
    )
    with op.batch_alter_table("trusted_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trusted_devices_account_id"), ["account_id"])
    op.create_table(
        "clinician_reads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("athlete_id", sa.String(length=32), nullable=False),
        sa.Column("clinician_id", sa.String(length=32), nullable=True),
        sa.Column("clinician_name", sa.String(length=200), nullable=False),
        sa.Column("what", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["accounts.id"],
            name=op.f("fk_clinician_reads_athlete_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["accounts.id"],
            name=op.f("fk_clinician_reads_clinician_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician_reads")),
    )
    with op.batch_alter_table("clinician_reads", schema=None) as batch_op:
        batch_op.create_index("ix_clinician_reads_athlete_at", ["athlete_id", "at"])


def downgrade() -> None:
    with op.batch_alter_table("clinician_reads", schema=None) as batch_op:
        batch_op.drop_index("ix_clinician_reads_athlete_at")
    op.drop_table("clinician_reads")
    with op.batch_alter_table("trusted_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trusted_devices_account_id"))
    op.drop_table("trusted_devices")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_device_at")
        batch_op.drop_column("device")
        batch_op.drop_column("kind")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_athlete_start")
