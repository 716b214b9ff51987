"""The plan ahead for a runner with a year of history: 12 weeks projected day by day.

    .venv/bin/python benchmarks/plan_bench.py

`plan_ahead` (what /plan and the calendar feed serve) on a SQLite file, against the same 84
projected days decided the way they were before checkpoints: each day a full replay of the
whole history so far. Prints the median of repeated runs; a measurement, not a test.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from typing import TYPE_CHECKING

from clinic_bench import TODAY
from web_load_bench import fill

from restride.domain.case import Case, CheckIn
from restride.domain.decide import decide
from restride.services import day, decisions
from restride.simulation import PAIN_FREE
from restride.storage import tables as t
from restride.storage.database import Database

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol

TARGET_MS = 200.0
DAYS = 84


def full_replays(protocol: Protocol, case: Case) -> None:
    """The projection as it was: every projected day decided from the whole history again."""
    checkins = list(case.checkins)
    for n in range(1, DAYS + 1):
        date = case.today + dt.timedelta(days=n)
        checkins.append(CheckIn(date=date, **PAIN_FREE))
        decide(protocol, case.model_copy(update={"today": date, "checkins": checkins}))


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="restride-plan-"))
    db = Database(f"sqlite:///{folder / 'plan.db'}")
    db.migrate()
    fill(db, 1)
    with db.read() as tx:
        athlete = tx.scalar(select(t.Account.id).where(t.Account.role == "athlete"))
    assert athlete is not None
    composed = day.athlete_day(db, athlete, today=TODAY)
    print(
        f"restride plan benchmark · {len(composed.case.checkins)} check-ins, "
        f"{len(composed.case.sessions)} sessions; today {composed.decision.phase} "
        f"week {composed.decision.week}"
    )
    times = []
    for _ in range(12):
        began = time.perf_counter()
        decisions.plan_ahead(db, athlete, today=TODAY, weeks=12)
        times.append(time.perf_counter() - began)
    median = statistics.median(times[2:]) * 1e3
    began = time.perf_counter()
    full_replays(composed.protocol, composed.case)
    baseline = (time.perf_counter() - began) * 1e3
    verdict = "met" if median < TARGET_MS else "MISSED"
    print(
        f"plan_ahead, {DAYS} days: median {median:.0f} ms; target < {TARGET_MS:g} ms: {verdict}. "
        f"Baseline, a full replay a projected day: {baseline:.0f} ms ({baseline / median:.0f}x)."
    )
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
