"""Who read an athlete's record: every clinician view of it is written down, and the athlete
can see the list (`restride reads`, `GET /api/me/reads`).

A view is recorded before the page is made: if it cannot be recorded (a busy database), the
page is not shown either. The same clinician opening the same page of the same athlete again
within READ_AGAIN is one entry, so a reloading browser does not flood the log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from restride.storage import tables as t
from restride.storage.tables import utcnow

if TYPE_CHECKING:
    from restride.storage.database import Database

READ_AGAIN = dt.timedelta(minutes=10)
MAX_SHOWN = 200


@dataclass(frozen=True)
class Read:
    at: dt.datetime
    clinician: str  # their name when they read it: an account deleted later keeps its entry
    what: str


def record_read(
    db: Database, *, athlete_id: str, clinician_id: str, clinician_name: str, what: str
) -> None:
    now = utcnow()
    what = what[:100]
    with db.transaction() as tx:
        recent = tx.scalar(
            select(t.ClinicianRead.id).where(
                t.ClinicianRead.athlete_id == athlete_id,
                t.ClinicianRead.clinician_id == clinician_id,
                t.ClinicianRead.what == what,
                t.ClinicianRead.at > now - READ_AGAIN,
            )
        )
        if recent is None:
            tx.add(
                t.ClinicianRead(
                    athlete_id=athlete_id,
                    clinician_id=clinician_id,
                    clinician_name=clinician_name[:200],
                    what=what,
                    at=now,
                )
            )


def reads_of(db: Database, athlete_id: str, *, limit: int = MAX_SHOWN) -> list[Read]:
    """The latest reads of the athlete's record, newest first."""
    with db.read() as tx:
        rows = tx.scalars(
            select(t.ClinicianRead)
            .where(t.ClinicianRead.athlete_id == athlete_id)
            .order_by(t.ClinicianRead.at.desc(), t.ClinicianRead.id)
            .limit(limit)
        )
        return [Read(row.at, row.clinician_name, row.what) for row in rows]
