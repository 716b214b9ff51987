"""How long one page of the clinician's board takes for a clinic of many athletes.

Run it with `.venv/bin/python benchmarks/board_bench.py [ATHLETES]` (default 500). It makes a
SQLite file in a temporary folder with ATHLETES athletes who share with one clinician, each a
simulated runner a different number of days into the program (1 to 120), then times
`board_page`: the first call (every row worked out from the record), then other pages and
orders (rows kept, since no record changed), and prints the times.
It is a measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from restride.loading import builtin_protocol
from restride.services import athletes, board, sharing
from restride.simulation import SEED_START, seed_injury, simulate
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.database import Database

TODAY = SEED_START + dt.timedelta(days=120)
RUNS = 3


def make_clinic(db: Database, count: int) -> str:
    clinician = athletes.create_account(
        db, email="clinic@example.org", name="Clinic", role="clinician"
    )
    protocol = builtin_protocol()
    simulations = {
        days: simulate(protocol, seed_injury(), SEED_START, days) for days in (1, 30, 60, 90, 120)
    }
    for n in range(count):
        days = (1, 30, 60, 90, 120)[n % 5]
        case = simulations[days].case
        start = TODAY - dt.timedelta(days=days - 1)
        shift = start - SEED_START
        account = athletes.create_account(db, email=f"a{n}@example.org", name=f"Athlete {n:03d}")
        athletes.start_episode(db, account.id, case.injury, program_start=start, today=start)
        with db.transaction() as tx:
            episode = repo.active_episode(tx, account.id)
            assert episode is not None
            for checkin in case.checkins:
                moved = checkin.model_copy(update={"date": checkin.date + shift})
                tx.add(repo.checkin_row(episode.id, moved, 1))
            for session in case.sessions:
                moved_session = session.model_copy(update={"date": session.date + shift})
                tx.add(repo.session_row(episode.id, moved_session))
            tx.add(t.Share(athlete_id=account.id, clinician_id=clinician.id))
    return clinician.id


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'board.db'}")
        db.migrate()
        clinician = make_clinic(db, count)
        assert len(sharing.shared_athletes(db, clinician)) == count
        started = time.perf_counter()
        page = board.board_page(db, clinician, today=TODAY)
        first = time.perf_counter() - started
        times = []
        for n in range(RUNS):
            started = time.perf_counter()
            board.board_page(db, clinician, today=TODAY, page=n + 2, sort="name")
            times.append(time.perf_counter() - started)
        print(
            f"{count} athletes: first board_page {first:.2f} s, then (rows kept) median "
            f"{statistics.median(times):.2f} s; {page.pages} pages, "
            f"{page.counts['attention']} need attention"
        )
        db.dispose()


if __name__ == "__main__":
    main()
