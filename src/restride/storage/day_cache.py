"""Keeping the computed athlete's day honest: any write to what it was computed from bumps the
episode's revision in the same flush, whichever code path made the write.

A computed day is current only for the revision it was computed from. The bump is an UPDATE of
the episode's row, so on PostgreSQL it also makes two writers for one athlete take turns (the
second waits for the first to commit, then reads what it wrote), as SQLite's write lock does.
The replay checkpoint survives a change dated after its day: the memory at the end of a day
depends only on records dated up to that day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session

from restride.storage import tables as t

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

DATED = (t.CheckIn, t.SessionLog, t.ClinicianEvent)
WHOLE = (t.Imaging,)  # the injury itself changed: every day of the replay may differ
# The decision's reasons name who the record is shared with; the maintain phase's load warnings
# come from the imported runs and their shoes.
ATHLETE_WIDE = (t.Share, t.Activity, t.Shoe)
WATCHED = (*DATED, *WHOLE, *ATHLETE_WIDE, t.Episode)


def _touched(objects: Iterable[Any]) -> tuple[dict[str, dt.date], set[str], set[str]]:
    """Per episode, the earliest date touched; episodes touched as a whole; athletes touched."""
    earliest: dict[str, dt.date] = {}
    whole: set[str] = set()
    athletes: set[str] = set()
    for obj in objects:
        if isinstance(obj, t.ClinicianEvent) and obj.kind == "withdraw":
            # Taking an event back replays from that event's day, which may be long ago.
            whole.add(obj.episode_id)
        elif isinstance(obj, DATED):
            date = obj.date
            if obj.episode_id in earliest:
                date = min(date, earliest[obj.episode_id])
            earliest[obj.episode_id] = date
        elif isinstance(obj, WHOLE):
            whole.add(obj.episode_id)
        elif isinstance(obj, t.Episode):
            if obj.id is not None:
                whole.add(obj.id)
        elif isinstance(obj, ATHLETE_WIDE):
            athletes.add(obj.athlete_id)
    return earliest, whole, athletes


@event.listens_for(Session, "before_flush")
def _bump_revision(session: Session, _context: Any, _instances: Any) -> None:
    objects = (*session.new, *session.dirty, *session.deleted)
    changed = [o for o in objects if isinstance(o, WATCHED)]
    if not changed:
        return
    earliest, whole, athletes = _touched(changed)
    episodes = set(earliest) | whole
    if episodes or athletes:
        session.execute(
            update(t.Episode)
            .where(or_(t.Episode.id.in_(episodes), t.Episode.athlete_id.in_(athletes)))
            .values(revision=t.Episode.revision + 1)
            .execution_options(synchronize_session=False)
        )
    days = t.AthleteDayRow
    for episode_id, date in earliest.items():
        session.execute(
            update(days)
            .where(days.episode_id == episode_id, days.checkpoint_day >= date)
            .values(checkpoint_day=None, checkpoint=None)
            .execution_options(synchronize_session=False)
        )
    if whole:
        session.execute(
            update(days)
            .where(days.episode_id.in_(whole))
            .values(checkpoint_day=None, checkpoint=None)
            .execution_options(synchronize_session=False)
        )
