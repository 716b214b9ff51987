"""The database tables (SQLAlchemy 2). Rows map to domain objects in `repository.py`.

IDs are random UUID hex strings made by the application, so an archive restores with the same
IDs on SQLite or PostgreSQL without sequences to fix. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

# Stable constraint names, so migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware times")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _id() -> Mapped[str]:
    return mapped_column(String(32), primary_key=True, default=new_id)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(UTCDateTime, default=utcnow, nullable=False)


def _pain() -> Mapped[int | None]:
    return mapped_column(Integer, nullable=True)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("role in ('athlete', 'clinician')", name="role"),)

    id: Mapped[str] = _id()
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    units: Mapped[str] = mapped_column(String(10), nullable=False, default="metric")
    created_at: Mapped[dt.datetime] = _created()


class Episode(Base):
    """One injury and its recovery program; a runner may have several over the years."""

    __tablename__ = "episodes"
    __table_args__ = (
        # At most one active episode per athlete.
        Index(
            "uq_episodes_one_active",
            "athlete_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    protocol: Mapped[str] = mapped_column(String(100), nullable=False)
    site: Mapped[str] = mapped_column(String(50), nullable=False)
    side: Mapped[str] = mapped_column(String(10), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    onset: Mapped[dt.date] = mapped_column(Date, nullable=False)
    prior_bone_stress_injury: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    program_start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = _created()
    # Bumped by every write to the episode's record (storage/day_cache.py): a computed day is
    # current only for the revision it was computed from. The bump also locks the row, so two
    # writers for one athlete take turns on PostgreSQL as they do on SQLite.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")


class Imaging(Base):
    __tablename__ = "imaging"

    id: Mapped[str] = _id()
    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    modality: Mapped[str] = mapped_column(String(20), nullable=False)
    result: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[dt.datetime] = _created()


class CheckIn(Base):
    """Every version of every check-in: an edit adds a version, nothing is overwritten."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("episode_id", "date", "version", name="uq_checkins_version"),
    )

    id: Mapped[str] = _id()
    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    pain_rest: Mapped[int | None] = _pain()
    pain_walking: Mapped[int | None] = _pain()
    pain_activity: Mapped[int | None] = _pain()
    pain_after: Mapped[int | None] = _pain()
    pain_next_morning: Mapped[int | None] = _pain()
    limp: Mapped[bool] = mapped_column(Boolean, nullable=False)
    swelling: Mapped[bool] = mapped_column(Boolean, nullable=False)
    redness: Mapped[bool] = mapped_column(Boolean, nullable=False)
    night_pain: Mapped[bool] = mapped_column(Boolean, nullable=False)
    bone_tenderness: Mapped[bool] = mapped_column(Boolean, nullable=False)
    can_bear_weight: Mapped[bool] = mapped_column(Boolean, nullable=False)
    fever: Mapped[bool] = mapped_column(Boolean, nullable=False)
    numbness: Mapped[bool] = mapped_column(Boolean, nullable=False)
    redness_spreading: Mapped[bool] = mapped_column(Boolean, nullable=False)
    foot_pale_or_cold: Mapped[bool] = mapped_column(Boolean, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[dt.datetime] = _created()


class SessionLog(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = _id()
    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    phase: Mapped[str] = mapped_column(String(50), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    planned_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    done_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    pain_during: Mapped[int | None] = _pain()
    pain_after: Mapped[int | None] = _pain()
    rpe: Mapped[int | None] = mapped_column(Integer, nullable=True)
    warmup_soreness: Mapped[str] = mapped_column(String(20), nullable=False, default="none")
    test: Mapped[str | None] = mapped_column(String(100), nullable=True)
    run_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    minimalist_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    activity: Mapped[str | None] = mapped_column(String(40), nullable=True)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[dt.datetime] = _created()


class ClinicianEvent(Base):
    __tablename__ = "clinician_events"
    # An event is withdrawn at most once (NULLs, every event that is no withdraw, never clash).
    __table_args__ = (Index("uq_clinician_events_withdraws", "withdraws", unique=True),)

    id: Mapped[str] = _id()
    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    clinician_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    # What a clear answers (RTR-9): the flags standing, one flag, or one gate.
    scope: Mapped[str] = mapped_column(
        String(10), nullable=False, default="standing", server_default="standing"
    )
    flag: Mapped[str | None] = mapped_column(String(60), nullable=True)
    gate: Mapped[str | None] = mapped_column(String(40), nullable=True)
    recorded_at: Mapped[dt.datetime] = _created()
    # Migration 0007: a `withdraw` names the event it takes back. No foreign key: an archive
    # restores rows in key order, so the withdraw may come before the event it names.
    withdraws: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Migration 0011: what a tailoring event sets (RTR-7).
    phase: Mapped[str | None] = mapped_column(String(40), nullable=True)
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    protocol: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Share(Base):
    """An athlete lets a clinician see their record, until they revoke it."""

    __tablename__ = "shares"
    __table_args__ = (
        Index(
            "uq_shares_one_open",
            "athlete_id",
            "clinician_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    clinician_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[dt.datetime] = _created()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Shoe(Base):
    """A shoe (or other gear) by name: from an import's gear names or added by hand (MIN-6)."""

    __tablename__ = "shoes"
    __table_args__ = (Index("uq_shoes_name", "athlete_id", "name", unique=True),)

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    brand: Mapped[str | None] = mapped_column(String(100), nullable=True)
    model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    weight_g: Mapped[float | None] = mapped_column(Float, nullable=True)
    stack_mm: Mapped[float | None] = mapped_column(Float, nullable=True)
    drop_mm: Mapped[float | None] = mapped_column(Float, nullable=True)
    flexibility: Mapped[int | None] = mapped_column(Integer, nullable=True)
    motion_control: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minimalist_index: Mapped[float | None] = mapped_column(Float, nullable=True)
    retired_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = _created()


class Activity(Base):
    """An imported activity (FIT, GPX, TCX, exports); its file's hash makes imports idempotent."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("athlete_id", "content_hash", name="uq_activities_hash"),
        # Migration 0006: an import looks for each activity's twins by start time; without
        # this every lookup read all of the athlete's activities (quadratic imports).
        Index("ix_activities_athlete_start", "athlete_id", "start_time"),
    )

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    shoe_id: Mapped[str | None] = mapped_column(
        ForeignKey("shoes.id", ondelete="SET NULL"), nullable=True
    )
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    sport: Mapped[str] = mapped_column(String(50), nullable=False)
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    moving_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    avg_hr: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_hr: Mapped[float | None] = mapped_column(Float, nullable=True)
    avg_cadence: Mapped[float | None] = mapped_column(Float, nullable=True)
    device: Mapped[str | None] = mapped_column(String(200), nullable=True)
    gear_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = _created()
    # Migration 0003: what the importers read beyond the summary above.
    part: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    sub_sport: Mapped[str | None] = mapped_column(String(50), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    partial: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    warnings: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    gct_ms_avg: Mapped[float | None] = mapped_column(Float, nullable=True)
    stance_balance_left_pct_avg: Mapped[float | None] = mapped_column(Float, nullable=True)
    vertical_oscillation_mm_avg: Mapped[float | None] = mapped_column(Float, nullable=True)


# --- The web app's sign-in state (migration 0002) ------------------------------------------------
# Tokens and codes are stored only as SHA-256 hashes: a copy of the database (or an archive)
# cannot be used to sign in or to redeem a code.


class WebSession(Base):
    """A signed-in browser; the cookie holds the token, the row its hash and CSRF secret."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = _id()
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class InviteCode(Base):
    """An athlete's one-time code that lets one clinician see their record."""

    __tablename__ = "invite_codes"

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )


class ResetCode(Base):
    """A one-time password-reset code an operator printed with `restride reset-code`."""

    __tablename__ = "reset_codes"

    id: Mapped[str] = _id()
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


# --- A calendar subscription link (migration 0004) ----------------------------------------------


class CalendarToken(Base):
    """An athlete's secret calendar-feed link; the URL holds the token, the row only its hash.

    One per athlete: making a new link replaces the old one, so a leaked link can be retired.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = _created()


# --- Failed sign-ins, for rate limiting (migration 0005) ----------------------------------------


class SignInFailure(Base):
    """One wrong password (or reset code) for an email, from an IP address.

    Counted in the database, not in memory, so every app worker sees the same count. Rows older
    than a day are pruned as new ones arrive; a successful sign-in deletes its email's rows.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_at", "email", "at"),
        Index("ix_sign_in_failures_ip_at", "ip", "at"),
        Index("ix_sign_in_failures_device_at", "device", "at"),
    )

    id: Mapped[str] = _id()
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Migration 0006: what was tried ("sign_in", "reset", "sign_up"), and from which known
    # device (the hash of its cookie), if any. A row is written before the password is
    # checked, so attempts still in flight count too; a success deletes its row.
    kind: Mapped[str] = mapped_column(
        String(20), nullable=False, default="sign_in", server_default="sign_in"
    )
    device: Mapped[str | None] = mapped_column(String(64), nullable=True)


# --- Devices that have signed in, and clinicians' reads (migration 0006) ------------------------


class TrustedDevice(Base):
    """A browser that has signed in to the account: its cookie holds the token, the row its
    hash. Its sign-ins are counted apart from everyone else's, so guessing at an account's
    password never locks its owner out of the browsers they already use."""

    __tablename__ = "trusted_devices"

    id: Mapped[str] = _id()
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    last_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ClinicianRead(Base):
    """A clinician looked at an athlete's record: which page, when. The athlete sees the list."""

    __tablename__ = "clinician_reads"
    __table_args__ = (Index("ix_clinician_reads_athlete_at", "athlete_id", "at"),)

    id: Mapped[str] = _id()
    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
    )
    clinician_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    clinician_name: Mapped[str] = mapped_column(String(200), nullable=False)
    what: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class AthleteDayRow(Base):
    """The athlete's day, computed once: today's decision and what the board shows of it, and
    the replay's memory at the end of the day before (to resume from).

    Derived from the history, never archived. It is current while its `revision` is the
    episode's: every write to the history bumps that (storage/day_cache.py); the write's service
    computes the day again in its transaction, or the next read does.
    """

    __tablename__ = "athlete_days"
    __table_args__ = (Index("ix_athlete_days_board", "attention_rank", "name"),)

    athlete_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)  # the episode's, when computed
    decision: Mapped[str] = mapped_column(Text, nullable=False)  # the Decision, as JSON
    checkpoint_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    checkpoint: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What the clinician board lists, sorts and filters by, without replaying anything.
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    phase: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    phase_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    phase_title: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    week: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    action: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    referral: Mapped[str] = mapped_column(String(20), nullable=False, default="none")
    attention: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON list
    signals: Mapped[str] = mapped_column(String(200), nullable=False, default=",")  # ",pain,limp,"
    attention_rank: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_checkin: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    worst_pain_week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pain_trend: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON list
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class Job(Base):
    """A piece of background work (a large import, a PDF report, the nightly refresh) and how
    far it has got, so a page can show its progress and a dead worker's job is taken up again.
    The queue itself is huey's (restride/jobs.py); this row is the job's record."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),)

    id: Mapped[str] = _id()
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    athlete_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    params: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    result: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = _created()
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
