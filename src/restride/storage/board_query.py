"""The clinician board as queries on the kept athletes' days: one for the page, one for the
counts per filter, however many athletes share with the clinician (no replay, no per-athlete
query). Searching, filtering, sorting and paging all happen in the database, on its indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, literal, or_, select

from restride.storage import tables as t

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session as DbSession
    from sqlalchemy.sql.elements import ColumnElement

# Which attention kinds each filter shows (services name the filters; see domain/attention.py).
FILTER_KINDS: dict[str, tuple[str, ...]] = {
    "red_flag": ("red_flag",),
    "pain": ("pain", "limp", "rising_pain", "setback"),
    "missed_checkins": ("missed_checkins",),
    "clearance": ("clearance",),
    "hold": ("hold",),
}
FILTERS = ("all", "attention", *FILTER_KINDS)
SORTS = ("attention", "name", "last_checkin", "pain", "phase")


@dataclass(frozen=True)
class BoardEntry:
    """One athlete on the board, as kept; `current` says whether it is today's and up to date."""

    athlete_id: str
    name: str
    email: str
    episode_id: str | None
    current: bool
    day: t.AthleteDayRow | None


def _kinds(kinds: tuple[str, ...]) -> ColumnElement[bool]:
    days = t.AthleteDayRow
    return or_(*(days.signals.contains(f",{kind},") for kind in kinds))


def _wanted(filter_name: str) -> ColumnElement[bool]:
    if filter_name == "all":
        return literal(True)
    if filter_name == "attention":
        return t.AthleteDayRow.attention_rank > 0
    return _kinds(FILTER_KINDS[filter_name])


def _shared(clinician_id: str, query: str) -> list[ColumnElement[bool]]:
    where = [t.Share.clinician_id == clinician_id, t.Share.revoked_at.is_(None)]
    needle = query.strip().lower()
    if needle:
        where.append(
            or_(
                func.lower(t.Account.name).contains(needle, autoescape=True),
                func.lower(t.Account.email).contains(needle, autoescape=True),
            )
        )
    return where


def _from(statement: Any) -> Any:
    days = t.AthleteDayRow
    return (
        statement.select_from(t.Share)
        .join(t.Account, t.Account.id == t.Share.athlete_id)
        .outerjoin(
            t.Episode, and_(t.Episode.athlete_id == t.Account.id, t.Episode.active.is_(True))
        )
        .outerjoin(days, days.athlete_id == t.Account.id)
    )


def _order(sort: str) -> list[Any]:
    days = t.AthleteDayRow
    name = func.lower(t.Account.name)
    if sort == "name":
        return [name, t.Account.id]
    if sort == "last_checkin":
        # Longest since a check-in first; never checked in before everyone.
        never = case((days.last_checkin.is_(None), 0), else_=1)
        return [never, days.last_checkin, name, t.Account.id]
    if sort == "pain":
        return [func.coalesce(days.worst_pain_week, -1).desc(), name, t.Account.id]
    if sort == "phase":
        return [func.coalesce(days.phase_index, 99), days.week.desc(), name, t.Account.id]
    return [func.coalesce(days.attention_rank, 0).desc(), name, t.Account.id]


def board_entries(
    tx: DbSession,
    clinician_id: str,
    *,
    today: dt.date,
    query: str = "",
    filter_name: str = "all",
    sort: str = "attention",
    offset: int = 0,
    limit: int = 25,
) -> list[BoardEntry]:
    """One page of the board, in one query."""
    days = t.AthleteDayRow
    current = and_(
        days.day == today,
        days.episode_id == t.Episode.id,
        days.revision == t.Episode.revision,
    )
    statement = _from(
        select(
            t.Account.id,
            t.Account.name,
            t.Account.email,
            t.Episode.id.label("episode_id"),
            case((current, True), else_=False).label("current"),
            days,
        )
    )
    statement = (
        statement.where(*_shared(clinician_id, query), _wanted(filter_name))
        .order_by(*_order(sort))
        .offset(offset)
        .limit(limit)
        .execution_options(populate_existing=True)  # kept days are upserted in Core
    )
    return [
        BoardEntry(row.id, row.name, row.email, row.episode_id, bool(row.current), row[5])
        for row in tx.execute(statement)
    ]


def board_counts(tx: DbSession, clinician_id: str, *, query: str = "") -> dict[str, int]:
    """How many athletes each filter shows, within the search, in one query."""
    columns = [func.count().label("all")]
    for name in FILTERS[1:]:
        columns.append(func.coalesce(func.sum(case((_wanted(name), 1), else_=0)), 0).label(name))
    row = tx.execute(_from(select(*columns)).where(*_shared(clinician_id, query))).one()
    return {name: int(row._mapping[name]) for name in FILTERS}
