"""Record a check-in a day, one transaction each, until stopped; run by test_backup.py.

Prints "started" after its first commit, so a backup taken after that runs beside a writer.
Stops when the file named by argv[3] appears.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from restride.domain.case import CheckIn
from restride.services import checkins
from restride.storage.database import Database

START = dt.date(2026, 3, 2)
MAX_DAYS = 5000


def main() -> None:
    db = Database(sys.argv[1], busy_timeout_s=30)
    athlete, stop = sys.argv[2], Path(sys.argv[3])
    today = START + dt.timedelta(days=MAX_DAYS)
    for n in range(MAX_DAYS):
        day = START + dt.timedelta(days=n)
        checkins.record_checkin(
            db, athlete, CheckIn(date=day, pain_walking=n % 11, notes=f"day {n}"), today=today
        )
        if n == 0:
            print("started", flush=True)
        if stop.exists():
            break
    db.dispose()


if __name__ == "__main__":
    main()
