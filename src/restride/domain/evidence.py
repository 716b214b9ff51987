"""The rule IDs of CLINICAL.md that a protocol may cite, and the seed's ten steps.

A protocol that cites an ID not listed here fails to load, so a typo cannot invent evidence.
"""

from __future__ import annotations

CLINICAL_IDS: frozenset[str] = frozenset(
    [f"PAIN-{n}" for n in range(1, 8)]
    + [f"RTR-{n}" for n in range(1, 10)]
    + [f"RF-{n}" for n in range(1, 10)]
    + [f"LOAD-{n}" for n in range(1, 6)]
    + [f"MIN-{n}" for n in range(1, 7)]
    + [f"EX-{n}" for n in range(1, 6)]
    + [f"DS-{n}" for n in range(1, 4)]
)

SEED_STEPS: dict[int, str] = {
    1: "Get on crutches ASAP",
    2: "Stop exercising: at least two weeks off",
    3: "Injuries are a good thing: listen to pain",
    4: "Full-body self-massage, balanced, away from the injured site",
    5: "Find a qualified therapist",
    6: "Rest and be patient",
    7: "Corrective exercise for at least eight weeks",
    8: "Walk, then run: start over from the beginning",
    9: "Functional movement in all planes",
    10: "Take your time: don't be in a hurry",
}

DISCLAIMER = (
    "restride does not diagnose. It follows a written program and flags signs that need a "
    "clinician; if you are worried, or anything gets worse, see a doctor."
)
