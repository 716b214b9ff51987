"""The bundled demo cases say what the product promises about them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from restride.demos import DEMO_BUILDERS, render_case
from restride.domain.decide import decide
from restride.loading import DATA, demo_case, demo_names

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol

EXPECTED = {
    "seed-runner": ("offload", 1, "stop", "soon"),
    "corrective-week-5": ("corrective", 5, "continue", "none"),
    "walk-week-3-after-flare": ("walk", 3, "regress", "none"),
    "run-week-8": ("run", 8, "continue", "none"),
    "maintenance": ("maintain", 3, "continue", "none"),
}


def test_every_demo_case_is_listed_and_described() -> None:
    assert sorted(EXPECTED) == demo_names() == sorted(DEMO_BUILDERS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_case_lands_where_it_says(protocol: Protocol, name: str) -> None:
    decision = decide(protocol, demo_case(name))
    assert (decision.phase, decision.week, decision.action, decision.referral) == EXPECTED[name]


def test_the_seed_runner_is_told_why_in_words_a_runner_reads(protocol: Protocol) -> None:
    decision = decide(protocol, demo_case("seed-runner"))
    rules = [r.rule for r in decision.reasons]
    assert rules[:3] == ["TS-RF-BONE-TENDER", "TS-RF-REDNESS", "TS-XRAY-NEGATIVE"]
    assert "TS-OFFLOAD" in rules
    assert "sports-medicine doctor" in decision.summary
    assert {c.activity: c.allowed for c in decision.cross_training} == {
        "swimming": False,
        "elliptical": False,
        "cycling": False,
    }
    golf = next(e for i in decision.today for e in i.exercises if e.id == "smr-golf-ball-sole")
    assert golf.sides == ["left"]  # never over the injured right foot


def test_the_flare_demo_explains_the_step_back(protocol: Protocol) -> None:
    decision = decide(protocol, demo_case("walk-week-3-after-flare"))
    flare = next(r for r in decision.reasons if r.rule == "TS-FLARE-BONE")
    assert "2/10 during" in flare.text
    assert "walk" not in [i.kind for i in decision.today]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_committed_demo_files_match_their_generator(name: str) -> None:
    committed = (DATA / "demo" / f"{name}.json").read_text(encoding="utf-8")
    assert committed == render_case(DEMO_BUILDERS[name]()), (
        "demo cases are stale: run .venv/bin/python scripts/make_demo_cases.py"
    )
