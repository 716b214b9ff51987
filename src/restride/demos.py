"""The bundled demo cases: the seed's runner C on the day of the email, and at later phases.

Each is built by simulating C following the plan (see `simulation.py`), so the histories are
realistic and consistent; `scripts/make_demo_cases.py` writes them under `data/demo/`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from restride.domain.case import Case
from restride.domain.decide import as_of
from restride.loading import builtin_protocol
from restride.simulation import (
    SEED_DOCTOR_VISIT,
    SEED_START,
    Simulation,
    as_prescribed,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from restride.domain.decision import Decision, TodayItem

EMAIL_NOTE = (
    "Runner C on the day of the email: 4th metatarsal, walking pain and a limp, a red spot "
    "that hurts when pressed; X-ray two weeks ago negative. Swimming and elliptical so far."
)


def _first_day(sim: Simulation, phase: str, week: int) -> int:
    return next(i for i, d in enumerate(sim.decisions) if (d.phase, d.week) == (phase, week))


def _case_on(sim: Simulation, index: int) -> Case:
    return Case.model_validate(as_of(sim.case, SEED_START + dt.timedelta(days=index)).model_dump())


def _recovery(
    days: int, sessions: Callable[[int, TodayItem], dict[str, Any] | None] = as_prescribed
) -> Simulation:
    return simulate(
        builtin_protocol(),
        seed_injury(),
        SEED_START,
        days,
        symptoms=seed_runner_symptoms,
        sessions=sessions,
        events=SEED_DOCTOR_VISIT,
    )


def seed_runner() -> Case:
    checkin = seed_runner_symptoms(0, None) or {}
    sim = simulate(
        builtin_protocol(),
        seed_injury(),
        SEED_START,
        1,
        symptoms=lambda _d, _l: {**checkin, "notes": EMAIL_NOTE},
    )
    return sim.case


def corrective_week_5() -> Case:
    sim = _recovery(60)
    return _case_on(sim, _first_day(sim, "corrective", 5) + 2)


def walk_week_3_after_flare() -> Case:
    plain = _recovery(110)
    flare_day = _first_day(plain, "walk", 4) + 1

    def sore_walk(day: int, item: TodayItem) -> dict[str, Any] | None:
        if day == flare_day and item.kind == "walk":
            return {"pain_during": 2, "pain_after": 1, "notes": "ache on top of the foot"}
        return {}

    sim = _recovery(flare_day + 2, sore_walk)
    return _case_on(sim, flare_day + 1)


def run_week_8() -> Case:
    sim = _recovery(180)
    return _case_on(sim, _first_day(sim, "run", 8) + 2)


def maintenance() -> Case:
    sim = _recovery(230)
    return _case_on(sim, _first_day(sim, "maintain", 3) + 2)


DEMO_BUILDERS: dict[str, Callable[[], Case]] = {
    "seed-runner": seed_runner,
    "corrective-week-5": corrective_week_5,
    "walk-week-3-after-flare": walk_week_3_after_flare,
    "run-week-8": run_week_8,
    "maintenance": maintenance,
}


def render_case(case: Case) -> str:
    data = case.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("protocol", case.protocol)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def describe(decision: Decision) -> str:
    return f"{decision.phase} week {decision.week}: {decision.action}, referral {decision.referral}"
