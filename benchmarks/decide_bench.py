"""How long `decide` takes on long histories, and where the time goes.

Run it with `.venv/bin/python benchmarks/decide_bench.py`. It builds a 1-year and a 5-year
daily history for the seed runner (4th metatarsal shaft, right foot), then times, on each:

- decide:        `decide(protocol, case)`, the whole answer the CLI prints;
- replay only:   `Replay(protocol, case).run()`, the day-by-day replay without the decision;
- validate case: `Case.model_validate(...)` of the case dumped to JSON types, as the CLI does
                 for every case it reads;
- resumed day:   `decide_day` for the last day, resuming from yesterday's checkpoint (what the
                 composed athlete's day pays for a new day), against `decide` as its baseline;
- checkpoint:    the checkpoint through the JSON it is kept as (dump and load).

Each is warmed up, then run repeatedly; the table shows the median and 95th percentile of the
wall-clock times (time.perf_counter) and days of history replayed per second. It is a
measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

from restride.domain.case import Case, CheckIn, Session
from restride.domain.decide import as_of, decide, decide_day
from restride.domain.engine import Replay
from restride.domain.memory import dump_checkpoint, load_checkpoint
from restride.domain.protocol import LOADING_KINDS, Protocol, run_minutes
from restride.loading import builtin_protocol, demo_case
from restride.simulation import PAIN_FREE, simulate

if TYPE_CHECKING:
    from collections.abc import Callable

START = dt.date(2026, 3, 2)
# Long enough for the simulated runner to reach the last maintenance week (about day 250);
# from there on the week repeats, so the rest of the history is appended without simulating.
SIMULATED_DAYS = 260
HISTORIES = {"1 year": 365, "5 years": 1825}
TARGET_MS = 20.0  # decide on one year of history
RESUMED_TARGET_MS = 2.0  # a new day's decision, resumed from yesterday's checkpoint
BUDGET_S = 6.0  # per measured function and history; keeps the whole run well under a minute
MIN_REPEATS, MAX_REPEATS, WARMUP = 20, 400, 3


def symptoms(day: int, _last: object) -> dict[str, Any] | None:
    """The seed runner: walking pain, a limp and a tender bone for six days, then pain-free."""
    if day <= 5:
        return {"pain_walking": 3, "limp": True, "bone_tenderness": True}
    return {}


def simulated_start(protocol: Protocol) -> tuple[Case, int]:
    """Simulate the first days; return the case and the day index its current week began."""
    sim = simulate(
        protocol,
        demo_case("seed-runner").injury,
        START,
        SIMULATED_DAYS,
        symptoms=symptoms,
        events={5: [("clear", "Seen: 4th metatarsal stress reaction; cleared for the program.")]},
    )
    last = sim.decisions[-1]
    maintain = protocol.phases[-1]
    if last.phase != maintain.id or last.week != len(maintain.weeks):
        print(
            f"note: after {SIMULATED_DAYS} simulated days the runner is in {last.phase} "
            f"week {last.week}, not the last {maintain.id} week; the appended days may hold.",
        )
    week_began = max((i for i, d in enumerate(sim.decisions) if d.action == "progress"), default=0)
    return sim.case, week_began


def extended(protocol: Protocol, case: Case, week_began: int, days: int) -> Case:
    """Append pain-free days that follow the repeating maintenance week, up to `days` days."""
    week = protocol.phases[-1].weeks[-1]
    phase_id = protocol.phases[-1].id
    checkins = list(case.checkins)
    sessions = list(case.sessions)
    for index in range(len(checkins), days):
        day = START + dt.timedelta(days=index)
        day_of_week = (index - week_began) % 7 + 1
        checkins.append(CheckIn(date=day, **PAIN_FREE))
        for item in week.items:
            if item.kind not in LOADING_KINDS or day_of_week not in item.days:
                continue
            running = run_minutes(item)
            sessions.append(
                Session(
                    date=day,
                    phase=phase_id,
                    kind=item.kind,  # type: ignore[arg-type]
                    planned_min=item.minutes,
                    done_min=item.minutes,
                    pain_during=0,
                    pain_after=0,
                    rpe=3,
                    run_min=running or None,
                    minimalist_min=item.minimalist_min,
                )
            )
    return Case(
        today=START + dt.timedelta(days=days - 1),
        program_start=START,
        protocol=protocol.id,
        injury=case.injury,
        checkins=checkins,
        sessions=sessions,
        clinician_events=list(case.clinician_events),
    )


def measure(work: Callable[[], object]) -> list[float]:
    """Seconds per call: warm up, then repeat until the budget or MAX_REPEATS runs out."""
    for _ in range(WARMUP):
        work()
    times: list[float] = []
    began = time.perf_counter()
    while len(times) < MAX_REPEATS and (
        len(times) < MIN_REPEATS or time.perf_counter() - began < BUDGET_S
    ):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    t0 = time.perf_counter()
    protocol = builtin_protocol()
    start_case, week_began = simulated_start(protocol)
    cases = {name: extended(protocol, start_case, week_began, n) for name, n in HISTORIES.items()}
    built_s = time.perf_counter() - t0
    print(f"restride decide benchmark · Python {sys.version.split()[0]}")
    print(
        f"Histories built in {built_s:.1f} s: {SIMULATED_DAYS} simulated days, "
        "then the repeating maintenance week.\n"
    )
    for name, case in cases.items():
        d = decide(protocol, case)
        print(
            f"  {name}: {len(case.checkins)} check-ins, {len(case.sessions)} sessions; "
            f"on {d.date}: {d.phase} week {d.week}, {d.action}, referral {d.referral}, "
            f"{len(d.warnings)} warnings"
        )
    print()

    header = f"{'history':<8} {'measure':<14} {'runs':>5} {'median ms':>10} {'p95 ms':>9}"
    header += f" {'days/s':>10}  {'share of decide':>15}"
    print(header)
    print("-" * len(header))
    medians: dict[str, float] = {}
    for name, case in cases.items():
        days = (case.today - case.program_start).days + 1
        dumped = case.model_dump(mode="json")
        before = Replay(protocol, as_of(case, case.today - dt.timedelta(days=1)))
        before.run()
        checkpoint = before.checkpoint()
        measures: dict[str, Callable[[], object]] = {
            "decide": lambda case=case: decide(protocol, case),
            "replay only": lambda case=case: Replay(protocol, case).run(),
            "validate case": lambda dumped=dumped: Case.model_validate(dumped),
            "resumed day": lambda case=case, c=checkpoint: decide_day(protocol, case, resume=c),
            "checkpoint": lambda c=checkpoint: load_checkpoint(dump_checkpoint(c)),
        }
        decide_median = 0.0
        for label, work in measures.items():
            times = measure(work)
            median = statistics.median(times)
            if label == "decide":
                decide_median = median
                medians[name] = median
            if label == "resumed day":
                medians[f"{name} resumed"] = median
            share = f"{median / decide_median:.0%}" if decide_median else ""
            print(
                f"{name:<8} {label:<14} {len(times):>5} {median * 1e3:>10.2f} "
                f"{p95(times) * 1e3:>9.2f} {days / median:>10,.0f}  {share:>15}"
            )
    print()
    one_year_ms = medians["1 year"] * 1e3
    verdict = "met" if one_year_ms < TARGET_MS else "MISSED"
    print(
        f"Target: decide < {TARGET_MS:g} ms for one year of history: {verdict} "
        f"(median {one_year_ms:.2f} ms)."
    )
    resumed_ms = medians["1 year resumed"] * 1e3
    verdict = "met" if resumed_ms < RESUMED_TARGET_MS else "MISSED"
    print(
        f"Target: a new day resumed from yesterday's checkpoint < {RESUMED_TARGET_MS:g} ms on one "
        f"year: {verdict} (median {resumed_ms:.2f} ms; baseline, the full replay: "
        f"{one_year_ms:.2f} ms, {one_year_ms / resumed_ms:.0f}x)."
    )
    print(
        "'decide' includes the replay; 'validate case' does not happen inside decide: it is what "
        "reading a case costs on top (the CLI pays it once per call)."
    )
    print(f"Total run time {time.perf_counter() - t0:.1f} s.")
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
