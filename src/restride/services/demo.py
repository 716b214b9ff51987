"""The seed's runner C as a stored athlete, so a newcomer meets restride with a real record.

C is the bundled `seed-runner` demo case moved in time so that today is C's first day of the
program: injured three weeks ago, a negative X-ray two weeks ago, and today's check-in with
walking pain, a limp and a red spot tender to press. C's running before the injury arrives with
activity imports; it is not made up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from restride.demos import seed_runner
from restride.domain.case import Case
from restride.services.athletes import AccountInfo
from restride.services.errors import ConflictError
from restride.storage import repository as repo
from restride.storage import tables as t

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session as DbSession

    from restride.storage.database import Database

DEMO_EMAIL = "runner.c@example.org"
DEMO_NAME = "Runner C"


@dataclass(frozen=True)
class LoadedDemo:
    athlete: AccountInfo
    case: Case
    created: bool
    replaced: bool


def load_seed_runner(db: Database, *, today: dt.date, replace: bool = False) -> LoadedDemo:
    """Store C with today as the program's first day; leave an existing C alone unless `replace`.

    All of it is one transaction: C is there whole, or not at all.
    """
    case = seed_runner()
    case = shifted(case, today - case.program_start)
    try:
        with db.transaction() as tx:
            existing = repo.account_by_email(tx, DEMO_EMAIL)
            if existing is not None and existing.role != "athlete":
                raise ConflictError(f"{DEMO_EMAIL} is a clinician account here; not replacing it")
            if existing is not None and not replace:
                info = AccountInfo(existing.id, existing.email, existing.name, existing.role)
                return LoadedDemo(info, case, created=False, replaced=False)
            if existing is not None:
                # Episodes, check-ins, sessions and shares go with it (ON DELETE CASCADE).
                tx.execute(delete(t.Account).where(t.Account.id == existing.id))
            account = t.Account(email=DEMO_EMAIL, name=DEMO_NAME, role="athlete")
            tx.add(account)
            tx.flush()
            _store(tx, account.id, case)
            info = AccountInfo(account.id, account.email, account.name, account.role)
    except IntegrityError:
        raise ConflictError(
            "another session was loading the demo runner at the same moment; "
            "run `restride demo` again"
        ) from None
    return LoadedDemo(info, case, created=True, replaced=existing is not None)


def _store(tx: DbSession, athlete_id: str, case: Case) -> None:
    injury = case.injury
    episode = t.Episode(
        athlete_id=athlete_id,
        protocol=case.protocol,
        site=injury.site,
        side=injury.side,
        kind=injury.kind,
        onset=injury.onset,
        prior_bone_stress_injury=injury.prior_bone_stress_injury,
        program_start=case.program_start,
        active=True,
    )
    tx.add(episode)
    tx.flush()
    for image in injury.imaging:
        tx.add(
            t.Imaging(
                episode_id=episode.id, date=image.date, modality=image.modality, result=image.result
            )
        )
    for checkin in case.checkins:
        tx.add(repo.checkin_row(episode.id, checkin, version=1))
    for session in case.sessions:
        tx.add(repo.session_row(episode.id, session))
    for event in case.clinician_events:
        tx.add(
            t.ClinicianEvent(
                episode_id=episode.id, date=event.date, kind=event.kind, reason=event.reason
            )
        )


def shifted(case: Case, by: dt.timedelta) -> Case:
    """The same history, every date moved by `by`."""

    def move(day: dt.date) -> dt.date:
        return day + by

    injury = case.injury.model_copy(
        update={
            "onset": move(case.injury.onset),
            "imaging": [i.model_copy(update={"date": move(i.date)}) for i in case.injury.imaging],
        }
    )
    return case.model_copy(
        update={
            "today": move(case.today),
            "program_start": move(case.program_start),
            "injury": injury,
            "checkins": [c.model_copy(update={"date": move(c.date)}) for c in case.checkins],
            "sessions": [s.model_copy(update={"date": move(s.date)}) for s in case.sessions],
            "clinician_events": [
                e.model_copy(update={"date": move(e.date)}) for e in case.clinician_events
            ],
        }
    )
