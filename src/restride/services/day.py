"""The athlete's day, composed in one place: the stored case, today's decision with everything
that belongs to it (the maintain phase's load warnings), and what the clinician board says.

Every page, API route, CLI command, export and the board asks `athlete_day` or
`todays_decision`; none calls the engine on raw history itself. The day is computed once and
kept (`athlete_days`): any write to the history bumps the episode's revision in the same flush
(storage/day_cache.py) and its service composes the day again in the same transaction
(`keep_current`); a read that finds it stale composes it, resuming the replay from yesterday's
checkpoint, and keeps it if the database lets it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from restride.domain.attention import Attention, PainSummary, attention, pain_summary, rank
from restride.domain.case import Case
from restride.domain.decision import Decision, Reason
from restride.domain.memory import Checkpoint, dump_checkpoint, load_checkpoint
from restride.domain.protocol import Protocol
from restride.loading import builtin_protocol
from restride.services.athletes import require_active_episode
from restride.services.errors import InvalidInputError, ServiceError
from restride.storage import board_query
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.database import DatabaseBusyError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from restride.domain.findings import Finding
    from restride.storage.database import Database

log = logging.getLogger(__name__)
ONE_DAY = dt.timedelta(days=1)
# How far before a checkpoint a resumed replay may look (streaks count back at most 10 days).
RESUME_WINDOW = dt.timedelta(days=35)
# Load findings are shown under the protocol's spike warning; the others (monotony, a
# left-right imbalance) under the maintain phase's own rule. Their evidence IDs stay their own.
LOAD_FINDINGS = frozenset({"progression", "spike", "ramp", "shoes", "shoe_switch"})


@dataclass(frozen=True)
class AthleteDay:
    athlete_id: str
    episode_id: str
    today: dt.date
    case: Case  # the whole stored history, or its last `recent_days` when a caller asked so
    protocol: Protocol
    decision: Decision
    checkpoint: str | None  # the replay's memory at the end of yesterday, as kept (JSON)

    def resume_from(self) -> Checkpoint | None:
        return load_checkpoint(self.checkpoint) if self.checkpoint else None

    @cached_property
    def attention(self) -> tuple[Attention, ...]:
        return tuple(attention(self.protocol, self.case, self.decision))

    @cached_property
    def pain(self) -> PainSummary:
        return pain_summary(self.case)


def athlete_day(
    db: Database, athlete_id: str, *, today: dt.date, recent_days: int | None = None
) -> AthleteDay:
    """The athlete's day as every screen shows it, read without taking the write lock; a day
    that had to be composed is kept afterwards, if the database lets it. `recent_days`: the
    caller shows only the last that many days of the record (today's page): only those are
    read, unless the day must be composed from more."""
    since = today - dt.timedelta(days=recent_days - 1) if recent_days else None
    with db.read() as tx:
        composed, values = _read_day(tx, athlete_id, today, since)
    if values is not None:
        _keep_later(db, values)
    return composed


def todays_decision_json(db: Database, athlete_id: str, *, today: dt.date) -> str:
    """Today's decision as the JSON it was kept as (the API sends it as it is)."""
    with db.read() as tx:
        kept = _current(tx, athlete_id, today)
        if kept is not None:
            return kept.decision
    return athlete_day(db, athlete_id, today=today).decision.model_dump_json()


def todays_decision(db: Database, athlete_id: str, *, today: dt.date) -> Decision:
    """Today's decision alone: read as it was kept when it is current, without the history."""
    with db.read() as tx:
        kept = _current(tx, athlete_id, today)
        if kept is not None:
            return Decision.model_validate_json(kept.decision)
    return athlete_day(db, athlete_id, today=today).decision


def _keep_later(db: Database, values: dict[str, object]) -> None:
    try:
        with db.transaction() as tx:
            repo.keep_days(tx, [values])
    except DatabaseBusyError:
        # Another writer holds the lock: the page does not wait for it. The next read composes
        # the day again (it was not kept), resuming from the same checkpoint.
        log.info("the day of athlete %s was not kept: the database was busy", values["athlete_id"])


def _current(tx: DbSession, athlete_id: str, today: dt.date) -> t.AthleteDayRow | None:
    """The kept day, if it was computed for today from the active episode as it is now."""
    found = tx.execute(
        select(t.AthleteDayRow, t.Episode.revision)
        .join(t.Episode, t.Episode.id == t.AthleteDayRow.episode_id)
        .where(t.AthleteDayRow.athlete_id == athlete_id, t.Episode.active.is_(True))
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        return None
    kept, revision = found
    return kept if kept.day == today and kept.revision == revision else None


def keep_current(tx: DbSession, athlete_id: str, *, today: dt.date) -> None:
    """After a write, in the write's own transaction: the athlete's day composed again, so the
    clinician board reads it as it now is."""
    tx.flush()  # the write's own refusals (a unique day, a version) are the write's to raise
    try:
        with tx.begin_nested():  # whatever goes wrong here, the write itself is kept
            if _current(tx, athlete_id, today) is None:
                _keep(tx, athlete_id, today)
    except ServiceError:
        pass  # no active episode, or one that starts after today: nothing to keep yet
    except Exception:
        # The day stays marked stale, so the next read composes it again (and shows why).
        log.exception("could not compose the day of athlete %s after a write", athlete_id)


def stored_case(tx: DbSession, athlete_id: str, today: dt.date) -> tuple[t.Episode, Case]:
    return _episode_case(tx, athlete_id, today, since=None)


def _episode_case(
    tx: DbSession, athlete_id: str, today: dt.date, *, since: dt.date | None
) -> tuple[t.Episode, Case]:
    episode = require_active_episode(tx, athlete_id)
    if today < episode.program_start:
        raise InvalidInputError(
            f"today ({today}) is before the program began ({episode.program_start})"
        )
    return episode, repo.episode_case(tx, episode, today, since=since)


def _revision(tx: DbSession, athlete_id: str) -> int:
    # Read before the history: on PostgreSQL each statement sees the latest commits, so a
    # history read after it is at least that new, never older than its label.
    found = tx.scalar(
        select(t.Episode.revision).where(
            t.Episode.athlete_id == athlete_id, t.Episode.active.is_(True)
        )
    )
    return found or 0


def _kept_checkpoint(tx: DbSession, athlete_id: str, episode_id: str) -> Checkpoint | None:
    old = tx.execute(
        select(t.AthleteDayRow.checkpoint, t.AthleteDayRow.episode_id).where(
            t.AthleteDayRow.athlete_id == athlete_id
        )
    ).first()
    if old is None or not old.checkpoint or old.episode_id != episode_id:
        return None
    return load_checkpoint(old.checkpoint)


def _read_day(
    tx: DbSession, athlete_id: str, today: dt.date, since: dt.date | None = None
) -> tuple[AthleteDay, dict[str, object] | None]:
    """The athlete's day with the stored case (from `since`, or all of it): the kept one if it
    is current, else composed (resuming from the kept checkpoint) with the row to keep."""
    revision = _revision(tx, athlete_id)
    episode, case = _episode_case(tx, athlete_id, today, since=since)
    protocol = builtin_protocol(case.protocol)
    kept = _current(tx, athlete_id, today)
    values: dict[str, object] | None = None
    if kept is not None:
        decision = Decision.model_validate_json(kept.decision)
        checkpoint = kept.checkpoint
    else:
        resume = _kept_checkpoint(tx, athlete_id, episode.id)
        enough = since is None or (
            resume is not None and since <= resume.memory.day - RESUME_WINDOW
        )
        history = case if enough else stored_case(tx, athlete_id, today)[1]
        windowed = since is not None and enough  # the recent records, enough to resume
        decision, values = _compose(
            tx, athlete_id, episode, history, protocol, revision, resume, window=windowed
        )
        saved = values["checkpoint"]
        checkpoint = saved if isinstance(saved, str) else None
    day = AthleteDay(
        athlete_id=athlete_id,
        episode_id=episode.id,
        today=today,
        case=case,
        protocol=protocol,
        decision=decision,
        checkpoint=checkpoint,
    )
    return day, values


def _keep(tx: DbSession, athlete_id: str, today: dt.date) -> None:
    """Compose and keep the day reading only what a resumed replay needs: the records since a
    little before the checkpoint (the longest streak a protocol counts back, and then some)."""
    found = tx.execute(
        select(t.Episode, t.AthleteDayRow.checkpoint, t.AthleteDayRow.episode_id)
        .outerjoin(t.AthleteDayRow, t.AthleteDayRow.athlete_id == t.Episode.athlete_id)
        .where(t.Episode.athlete_id == athlete_id, t.Episode.active.is_(True))
        .execution_options(populate_existing=True)  # its revision was bumped in Core
    ).first()
    if found is None:
        require_active_episode(tx, athlete_id)  # raises, in the product's words
        return
    episode, kept_checkpoint, kept_episode = found
    if today < episode.program_start:
        return
    resume = None
    if kept_checkpoint and kept_episode == episode.id:
        resume = load_checkpoint(kept_checkpoint)
    since = resume.memory.day - RESUME_WINDOW if resume is not None else None
    case = repo.episode_case(tx, episode, today, since=since)
    protocol = builtin_protocol(case.protocol)
    _decision, values = _compose(
        tx, athlete_id, episode, case, protocol, episode.revision, resume, window=since is not None
    )
    repo.keep_days(tx, [values])


def _compose(
    tx: DbSession,
    athlete_id: str,
    episode: t.Episode,
    case: Case,
    protocol: Protocol,
    revision: int,
    resume: Checkpoint | None,
    *,
    window: bool = False,
) -> tuple[Decision, dict[str, object]]:
    """Decide the day, resuming from the checkpoint when it is still good; returns it with the
    row to keep. `window`: the case holds only the recent records, enough only to resume."""
    from restride.domain.decide import decide_day  # the engine, only when a day is composed

    today = case.today
    yesterday = today - ONE_DAY
    decided = decide_day(
        protocol,
        case,
        resume=resume,
        checkpoint_on=yesterday if yesterday >= case.program_start else None,
    )
    if resume is not None and decided.resumed_from is None and window:
        # The checkpoint could not be resumed (another engine or protocol version): the
        # window of recent records is not enough, so read the whole history.
        _episode, full = stored_case(tx, athlete_id, today)
        return _compose(tx, athlete_id, episode, full, protocol, revision, None)
    decision = _with_load_watch(tx, athlete_id, protocol, decided.decision, today)
    last_checkin = max((c.date for c in case.checkins), default=None)
    if last_checkin is None and window:  # none in the window: there may be older ones
        last_checkin = tx.scalar(
            select(func.max(t.CheckIn.date)).where(
                t.CheckIn.episode_id == episode.id, t.CheckIn.date <= today
            )
        )
    checkpoint = decided.checkpoint or resume
    account = tx.get(t.Account, athlete_id)
    values = day_values(
        athlete_id,
        episode.id,
        account.name if account is not None else "",
        protocol,
        case,
        revision,
        decision,
        checkpoint,
        last_checkin,
    )
    return decision, values


def day_values(
    athlete_id: str,
    episode_id: str,
    name: str,
    protocol: Protocol,
    case: Case,
    revision: int,
    decision: Decision,
    checkpoint: Checkpoint | None,
    last_checkin: dt.date | None,
) -> dict[str, object]:
    """The kept row of an athlete's day: the decision, the checkpoint, what the board shows."""
    found = attention(protocol, case, decision)
    pain = pain_summary(case)
    return {
        "athlete_id": athlete_id,
        "episode_id": episode_id,
        "day": case.today,
        "revision": revision,
        "decision": decision.model_dump_json(),
        "checkpoint": dump_checkpoint(checkpoint).decode() if checkpoint is not None else None,
        "checkpoint_day": checkpoint.memory.day if checkpoint is not None else None,
        "name": name,
        "phase": decision.phase,
        "phase_index": protocol.phase_index(decision.phase),
        "phase_title": decision.phase_title,
        "week": decision.week,
        "action": decision.action,
        "referral": decision.referral,
        "attention": json.dumps([{"kind": a.kind, "text": a.text} for a in found]),
        "attention_rank": rank(found),
        "signals": "," + "".join(f"{a.kind}," for a in found),
        "last_checkin": last_checkin,
        "worst_pain_week": pain.worst_this_week,
        "pain_trend": json.dumps(list(pain.trend)),
    }


def _with_load_watch(
    tx: DbSession, athlete_id: str, protocol: Protocol, decision: Decision, today: dt.date
) -> Decision:
    """Back to running, restride keeps watching: the runs imported this week are checked like
    the post-mortem checks the weeks before an injury, and shown as warnings (never gating)."""
    if decision.phase != "maintain":
        return decision
    from restride.services.insights import recent_warnings_in

    found: list[Finding] = recent_warnings_in(tx, athlete_id, today=today)
    if not found:
        return decision
    phase_rule = protocol.rule(protocol.phases[protocol.phase_index("maintain")].rule)
    extra = [
        Reason(
            rule=rule.id,
            step=rule.step,
            text=f"{f.title}: {f.detail}. {f.caveat}",
            evidence=list(f.evidence),
        )
        for f in found
        for rule in [protocol.engine_rule("spike_warn") if f.kind in LOAD_FINDINGS else phase_rule]
    ]
    return decision.model_copy(update={"warnings": [*decision.warnings, *extra]})


def board(
    db: Database,
    clinician_id: str,
    *,
    today: dt.date,
    query: str = "",
    filter_name: str = "all",
    sort: str = "attention",
    offset: int = 0,
    limit: int = 25,
) -> tuple[list[board_query.BoardEntry], dict[str, int]]:
    """A page of the clinician's board from the kept days: two queries however many athletes
    share with the clinician. A row not current for today (its day not yet composed: the
    nightly refresh had not run, or a write could not compose it) is composed first."""

    def page(tx: DbSession) -> list[board_query.BoardEntry]:
        return board_query.board_entries(
            tx,
            clinician_id,
            today=today,
            query=query,
            filter_name=filter_name,
            sort=sort,
            offset=offset,
            limit=limit,
        )

    with db.transaction() as tx:
        entries = page(tx)
        stale = [e for e in entries if not e.current and e.episode_id is not None]
        for entry in stale:
            keep_current(tx, entry.athlete_id, today=today)
        if stale:
            entries = page(tx)  # the order may change once they are current
        counts = board_query.board_counts(tx, clinician_id, query=query)
    return entries, counts


def refresh_one(db: Database, athlete_id: str, *, today: dt.date) -> None:
    """One athlete's day composed for `today` unless it is current already."""
    with db.transaction() as tx:
        keep_current(tx, athlete_id, today=today)


def board_size(db: Database, clinician_id: str) -> int:
    """How many athletes share with the clinician, whatever the search."""
    with db.read() as tx:
        return board_query.board_counts(tx, clinician_id)["all"]
