"""The nightly refresh: every athlete's day composed for the new day, many athletes at a time.

For a batch of athletes it reads, in a handful of queries, what each replay needs to resume
from its kept checkpoint (the records of the last weeks), decides each day, and keeps them all
with one statement. An athlete it cannot do that way (no checkpoint yet, one it cannot resume,
runs imported this week to watch) is composed on its own, as a read would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from restride.domain import case as domain
from restride.domain.decide import decide_day
from restride.domain.memory import Checkpoint, load_checkpoint
from restride.domain.tailoring import in_force
from restride.loading import builtin_protocol
from restride.services import day
from restride.storage import repository as repo
from restride.storage import tables as t

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy.orm import Session as DbSession

    from restride.storage.database import Database

BATCH = 200


def refresh_all(
    db: Database, *, today: dt.date, progress: Callable[[int, int], None] | None = None
) -> int:
    """Every active episode's day composed for `today`; returns how many athletes."""
    with db.transaction() as tx:
        athletes = list(
            tx.scalars(
                select(t.Episode.athlete_id)
                .where(t.Episode.active.is_(True))
                .order_by(t.Episode.athlete_id)
            )
        )
    for first in range(0, len(athletes), BATCH):
        refresh_batch(db, athletes[first : first + BATCH], today=today)
        if progress is not None:
            progress(min(first + BATCH, len(athletes)), len(athletes))
    return len(athletes)


def refresh_batch(db: Database, athletes: list[str], *, today: dt.date) -> None:
    alone: list[str] = []
    with db.transaction() as tx:
        found = tx.execute(
            select(t.Episode, t.Account.name, t.AthleteDayRow)
            .join(t.Account, t.Account.id == t.Episode.athlete_id)
            .outerjoin(t.AthleteDayRow, t.AthleteDayRow.athlete_id == t.Episode.athlete_id)
            .where(t.Episode.athlete_id.in_(athletes), t.Episode.active.is_(True))
        ).all()
        batch: list[tuple[t.Episode, str, Checkpoint]] = []
        for episode, name, kept in found:
            if today < episode.program_start:
                continue
            if kept is not None and kept.revision == episode.revision and kept.day == today:
                continue  # current already
            if kept is None or not kept.checkpoint or kept.episode_id != episode.id:
                alone.append(episode.athlete_id)
                continue
            batch.append((episode, name, load_checkpoint(kept.checkpoint)))
        watched = _with_recent_runs(tx, [e.athlete_id for e, _n, _c in batch], today)
        cases = _window_cases(tx, [(e, c) for e, _n, c in batch], today)
        rows = []
        for episode, name, checkpoint in batch:
            if episode.athlete_id in watched:
                alone.append(episode.athlete_id)  # the load watch reads all their runs
                continue
            case = cases[episode.id]
            protocol = builtin_protocol(case.protocol)
            decided = decide_day(
                protocol, case, resume=checkpoint, checkpoint_on=today - dt.timedelta(days=1)
            )
            if decided.resumed_from is None:
                alone.append(episode.athlete_id)
                continue
            last = max((c.date for c in case.checkins), default=None)
            if last is None:
                alone.append(episode.athlete_id)  # their last check-in is older than the window
                continue
            rows.append(
                day.day_values(
                    episode.athlete_id,
                    episode.id,
                    name,
                    protocol,
                    case,
                    episode.revision,
                    decided.decision,
                    decided.checkpoint or checkpoint,
                    last,
                )
            )
        repo.keep_days(tx, rows)
    for athlete_id in alone:
        day.refresh_one(db, athlete_id, today=today)


def _with_recent_runs(tx: DbSession, athletes: list[str], today: dt.date) -> set[str]:
    """The athletes with activities from the last week (the maintain phase watches those)."""
    if not athletes:
        return set()
    since = dt.datetime.combine(today - dt.timedelta(days=8), dt.time(), tzinfo=dt.UTC)
    return set(
        tx.scalars(
            select(t.Activity.athlete_id)
            .where(t.Activity.athlete_id.in_(athletes), t.Activity.start_time >= since)
            .distinct()
        )
    )


def _window_cases(
    tx: DbSession, batch: Iterable[tuple[t.Episode, Checkpoint]], today: dt.date
) -> dict[str, domain.Case]:
    """Each episode's case with the records since a little before its checkpoint."""
    session = tx
    since = {e.id: c.memory.day - day.RESUME_WINDOW for e, c in batch}
    episodes = {e.id: e for e, _c in batch}
    if not episodes:
        return {}
    first = min(since.values())
    ids = list(episodes)
    checkins: dict[str, list[domain.CheckIn]] = defaultdict(list)
    latest = (
        select(t.CheckIn.episode_id, t.CheckIn.date, func.max(t.CheckIn.version).label("version"))
        .where(t.CheckIn.episode_id.in_(ids), t.CheckIn.date >= first, t.CheckIn.date <= today)
        .group_by(t.CheckIn.episode_id, t.CheckIn.date)
        .subquery()
    )
    for row in session.scalars(
        select(t.CheckIn)
        .join(
            latest,
            (t.CheckIn.episode_id == latest.c.episode_id)
            & (t.CheckIn.date == latest.c.date)
            & (t.CheckIn.version == latest.c.version),
        )
        .order_by(t.CheckIn.date)
    ):
        if row.date >= since[row.episode_id]:
            checkins[row.episode_id].append(repo.to_checkin(row))
    sessions: dict[str, list[domain.Session]] = defaultdict(list)
    for logged in session.scalars(
        select(t.SessionLog)
        .where(
            t.SessionLog.episode_id.in_(ids),
            t.SessionLog.date >= first,
            t.SessionLog.date <= today,
        )
        .order_by(t.SessionLog.date, t.SessionLog.recorded_at, t.SessionLog.id)
    ):
        if logged.date >= since[logged.episode_id]:
            sessions[logged.episode_id].append(repo.to_session(logged))
    events: dict[str, list[domain.ClinicianEvent]] = defaultdict(list)
    for given in session.scalars(
        select(t.ClinicianEvent)
        .where(t.ClinicianEvent.episode_id.in_(ids), t.ClinicianEvent.date <= today)
        .order_by(t.ClinicianEvent.date, t.ClinicianEvent.recorded_at, t.ClinicianEvent.id)
    ):
        # Every event, as repo.episode_case reads them: old ones can still reach forward.
        events[given.episode_id].append(repo.to_event(session, given))
    imaging: dict[str, list[domain.Imaging]] = defaultdict(list)
    for image in session.scalars(
        select(t.Imaging).where(t.Imaging.episode_id.in_(ids)).order_by(t.Imaging.date)
    ):
        imaging[image.episode_id].append(
            domain.Imaging(date=image.date, modality=image.modality, result=image.result)  # type: ignore[arg-type]
        )
    shared: dict[str, list[str]] = defaultdict(list)
    athletes = {e.athlete_id: e.id for e in episodes.values()}
    for athlete_id, name in session.execute(
        select(t.Share.athlete_id, t.Account.name)
        .join(t.Account, t.Account.id == t.Share.clinician_id)
        .where(t.Share.athlete_id.in_(list(athletes)), t.Share.revoked_at.is_(None))
        .order_by(t.Account.name)
    ):
        shared[athletes[athlete_id]].append(name)
    cases = {}
    for episode_id, episode in episodes.items():
        cases[episode_id] = in_force(
            domain.Case.model_construct(
                today=today,
                program_start=episode.program_start,
                protocol=episode.protocol,
                injury=domain.Injury(
                    site=episode.site,
                    side=episode.side,  # type: ignore[arg-type]
                    kind=episode.kind,  # type: ignore[arg-type]
                    onset=episode.onset,
                    prior_bone_stress_injury=episode.prior_bone_stress_injury,
                    imaging=imaging[episode_id],
                ),
                checkins=checkins[episode_id],
                sessions=sessions[episode_id],
                clinician_events=events[episode_id],
                shared_with=shared[episode_id],
                body_mass_kg=None,
            )
        )
    return cases
