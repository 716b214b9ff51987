"""What the stored activities say: the post-mortem of an injury's onset, and warnings on newly
imported runs once the runner is back to maintaining (LOAD-1, LOAD-2, MIN-5, asymmetry).

The warnings are not fed to the engine's decision yet: `restride import` shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from restride.domain.findings import InsightSettings
from restride.domain.insights import PostMortem, check_new, post_mortem
from restride.domain.shoes import ShoeSpec
from restride.services.decisions import todays_decision
from restride.services.errors import InvalidInputError, NotFoundError, ServiceError
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.repository import to_activity

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session as DbSession

    from restride.domain.activity import Activity
    from restride.domain.findings import Finding
    from restride.storage.database import Database


@dataclass(frozen=True)
class Insights:
    post_mortem: PostMortem
    onset_from: str  # "the active episode", "the latest episode", "--episode-onset" or "today"
    site: str | None
    weeks: int
    demo_data: bool  # some of the activities are restride's generated demo history


def to_spec(row: t.Shoe) -> ShoeSpec:
    return ShoeSpec(
        row.name,
        weight_g=row.weight_g,
        stack_mm=row.stack_mm,
        drop_mm=row.drop_mm,
        flexibility=row.flexibility,
        motion_control=row.motion_control,
        index_pct=row.minimalist_index,
    )


def history(
    tx: DbSession, athlete_id: str, until: dt.datetime | None = None
) -> tuple[dict[str, Activity], dict[str, ShoeSpec]]:
    """The athlete's activities by row ID (up to `until`), and their shoes by name."""
    shoes = list(tx.scalars(select(t.Shoe).where(t.Shoe.athlete_id == athlete_id)))
    names = {s.id: s.name for s in shoes}
    query = select(t.Activity).where(
        t.Activity.athlete_id == athlete_id, repo.plausible_start(t.Activity.start_time)
    )
    if until is not None:
        query = query.where(t.Activity.start_time < until)
    rows = tx.scalars(query.order_by(t.Activity.start_time, t.Activity.id))
    return {r.id: to_activity(r, names) for r in rows}, {s.name: to_spec(s) for s in shoes}


def _require_athlete(tx: DbSession, athlete_id: str) -> None:
    athlete = tx.get(t.Account, athlete_id)
    if athlete is None or athlete.role != "athlete":
        raise NotFoundError("no such athlete")


def injury_post_mortem(
    db: Database,
    athlete_id: str,
    *,
    today: dt.date,
    onset: dt.date | None = None,
    weeks: int = 8,
    zone: dt.tzinfo = dt.UTC,
) -> Insights:
    """What in the `weeks` before the onset stands out, ranked. The onset is `onset`, else the
    active episode's, else the latest episode's, else today (a look at the recent weeks)."""
    if not 4 <= weeks <= 26:
        raise InvalidInputError(f"weeks: must be 4-26 (got {weeks})")
    if onset is not None and onset > today:
        raise InvalidInputError(f"onset: {onset} is in the future (today is {today})")
    with db.read() as tx:
        _require_athlete(tx, athlete_id)
        episode = repo.active_episode(tx, athlete_id)
        found = "the active episode"
        if episode is None:
            episode = tx.scalar(
                select(t.Episode)
                .where(t.Episode.athlete_id == athlete_id)
                .order_by(t.Episode.onset.desc())
                .limit(1)
            )
            found = "the latest episode"
        if onset is not None:
            found = "--episode-onset"
        elif episode is not None:
            onset = max(episode.onset, repo.EARLIEST_ONSET)
        else:
            onset, found = today, "today"
        # Up to the end of the onset day, wherever the runner is.
        end = dt.datetime.combine(onset + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
        activities, shoes = history(tx, athlete_id, until=end)
        site = episode.site if episode is not None and found != "--episode-onset" else None
    settings = InsightSettings(weeks_before=weeks)
    result = post_mortem(
        list(activities.values()), shoes, onset, site=site, settings=settings, zone=zone
    )
    demo = any(w.startswith("demo data:") for a in activities.values() for w in a.warnings)
    return Insights(result, found, site, weeks, demo)


def new_activity_warnings(
    db: Database,
    athlete_id: str,
    activity_ids: Sequence[str],
    *,
    today: dt.date,
    zone: dt.tzinfo = dt.UTC,
) -> list[Finding]:
    """The post-mortem's checks on just-imported activities, for a runner in the maintain phase
    (or with no episode open); none while a recovery program still guides the running."""
    if not activity_ids:
        return []
    with db.read() as tx:
        _require_athlete(tx, athlete_id)
        active = repo.active_episode(tx, athlete_id) is not None
    if active:
        try:
            phase = todays_decision(db, athlete_id, today=today).phase
        except ServiceError:  # e.g. a program that starts after today: not maintaining yet
            return []
        if phase != "maintain":
            return []
    with db.read() as tx:
        activities, shoes = history(tx, athlete_id)
    new = [activities[i] for i in activity_ids if i in activities]
    return check_new(list(activities.values()), shoes, new, zone=zone)


def recent_warnings(
    db: Database, athlete_id: str, *, today: dt.date, days: int = 7, zone: dt.tzinfo = dt.UTC
) -> list[Finding]:
    """The maintain phase's watch: the post-mortem's checks on the runs of the last `days`."""
    with db.read() as tx:
        return recent_warnings_in(tx, athlete_id, today=today, days=days, zone=zone)


def recent_warnings_in(
    tx: DbSession, athlete_id: str, *, today: dt.date, days: int = 7, zone: dt.tzinfo = dt.UTC
) -> list[Finding]:
    activities, shoes = history(tx, athlete_id)
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), tzinfo=zone)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    new = [a for a in activities.values() if since <= a.start < until]
    if not new:
        return []
    return check_new(list(activities.values()), shoes, new, zone=zone)
