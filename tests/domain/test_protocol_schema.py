"""What a protocol's format gives a clinic: its own graded evidence, a base to build on, floors,
defaults for the engine's rules, a massage that may work a soft-tissue site; and how restride
proposes a protocol for an injury."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from restride.domain.case import Injury
from restride.domain.choosing import propose
from restride.domain.prescription import render
from restride.loading import ProtocolError, builtin_protocol, builtin_protocol_names, load_protocol
from restride.simulation import simulate
from tests.builders import START

if TYPE_CHECKING:
    from pathlib import Path

MINIMAL = """
id: clinic-soft
version: 1
title: A soft-tissue protocol
summary: One loading phase, then running.
tissue: fascia
evidence:
  - {id: CLN-1, citation: "Our clinic's audit, 2026.", grade: I, text: "Most settle in two weeks."}
rules:
  - {id: CLN-LOAD, step: 7, evidence: [CLN-1, PAIN-3], text: "Load the sole, roll it."}
  - {id: CLN-RUN, step: null, evidence: [RTR-4], text: "Run easy."}
phases:
  - id: load
    title: Loading
    rule: CLN-LOAD
    purpose: Roll and load the sole every day.
    loading: true
    massage_injured_site: {massage}
    daily:
      - {kind: self_massage, rule: CLN-LOAD, title: Sole roll, minutes: 1,
         exercises: [{id: smr-golf-ball-sole, minutes: 0.5}]}
    exit:
      - {kind: min_days_in_phase, rule: CLN-LOAD, days: 14, floor: 7, text: Two weeks.}
  - id: run
    title: Running
    rule: CLN-RUN
    purpose: Easy runs.
    loading: true
    daily:
      - {kind: run, rule: CLN-RUN, title: Run 20 minutes, minutes: 20, days: [1, 3, 5]}
"""


def write(tmp_path: Path, text: str, name: str = "clinic.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_protocol_needs_only_its_phases_and_gets_the_engines_rules_and_red_flags(
    tmp_path: Path,
) -> None:
    protocol = load_protocol(write(tmp_path, MINIMAL.replace("{massage}", "false")))
    ten_steps = builtin_protocol("ten-steps")

    assert protocol.engine_rules == ten_steps.engine_rules
    assert protocol.red_flags == ten_steps.red_flags
    assert protocol.rule("TS-NO-HURRY") == ten_steps.rule("TS-NO-HURRY")
    assert protocol.rule("CLN-LOAD").evidence == ["CLN-1", "PAIN-3"]


def test_a_rule_citing_evidence_nobody_listed_is_refused_with_its_place(tmp_path: Path) -> None:
    text = MINIMAL.replace("{massage}", "false").replace("[CLN-1, PAIN-3]", "[CLN-2]")

    with pytest.raises(ProtocolError) as refused:
        load_protocol(write(tmp_path, text))

    assert "rules[0].evidence: unknown CLINICAL.md ID(s) CLN-2" in refused.value.message


def test_a_soft_tissue_phase_may_roll_the_injured_sole_but_never_once_the_bone_is_tender(
    tmp_path: Path,
) -> None:
    protocol = load_protocol(write(tmp_path, MINIMAL.replace("{massage}", "true")))
    item = protocol.phases[0].daily[0]
    fascia = Injury(site="plantar_fascia", side="left", kind="fascia", onset=START)

    (rolled,) = render(
        [item],
        protocol.library,
        fascia,
        spare_injured_region=False,
        bone=False,
        massage_injured_site=True,
    )
    assert rolled.exercises[0].sides == ["left", "right"] and rolled.minutes == 1

    # A heel bone that hurts when pressed makes it a bone injury: the sore side is spared.
    (spared,) = render(
        [item],
        protocol.library,
        fascia,
        spare_injured_region=False,
        bone=True,
        massage_injured_site=True,
    )
    assert spared.exercises[0].sides == ["right"] and spared.minutes == 0.5


def test_a_bone_protocol_may_not_roll_the_injured_site(tmp_path: Path) -> None:
    text = MINIMAL.replace("{massage}", "true").replace("tissue: fascia", "tissue: bone")

    with pytest.raises(ProtocolError) as refused:
        load_protocol(write(tmp_path, text))

    assert "phases[0].massage_injured_site: a bone protocol never rolls" in refused.value.message


def test_a_based_protocol_keeps_the_bases_departures_and_adds_its_own(tmp_path: Path) -> None:
    based = write(
        tmp_path,
        """
id: clinic-slower
version: 1
title: Ten steps, slower
summary: Three weeks of rest.
base: ten-steps
evidence:
  - {id: CLN-1, citation: "Our clinic's audit.", grade: I, text: "Slower suits our runners."}
departures:
  - {step: 2, seed: "Two weeks off.", here: "Three weeks off.", why: "Our audit.",
     evidence: [CLN-1]}
phase_overrides:
  rest:
    exit:
      - {kind: min_days_from_start, rule: TS-REST-MIN, days: 21, floor: 14, text: Three weeks.}
""",
    )
    protocol = load_protocol(based)
    ten_steps = builtin_protocol("ten-steps")

    assert [d.step for d in protocol.departures] == [*(d.step for d in ten_steps.departures), 2]
    assert protocol.phases[1].exit[0].days == 21  # type: ignore[union-attr]
    assert protocol.phases[2] == ten_steps.phases[2]

    with pytest.raises(ProtocolError) as refused:
        load_protocol(write(tmp_path, based.read_text().replace("  rest:", "  resting:"), "b.yaml"))
    assert "phase_overrides.resting: no phase 'resting' in the base" in refused.value.message


def test_a_floor_above_the_minimum_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("{massage}", "false").replace("floor: 7", "floor: 20")

    with pytest.raises(ProtocolError) as refused:
        load_protocol(write(tmp_path, text))

    assert "floor 20 is above the minimum of 14 days" in refused.value.message


def test_a_run_exactly_ten_percent_longer_is_within_load_1_and_warns_nothing() -> None:
    protocol = builtin_protocol("ten-steps")
    injury = Injury(site="metatarsal_4_shaft", side="left", onset=START - dt.timedelta(days=20))
    sim = simulate(protocol, injury, START, 200)
    run_weeks = [d for d in sim.decisions if d.phase == "run"]

    assert run_weeks, "the compliant runner reached the run program"
    assert not [w for d in run_weeks for w in d.warnings if w.rule == "TS-SPIKE-WARN"]


@pytest.mark.parametrize(
    ("site", "kind", "expected"),
    [
        ("metatarsal_4_shaft", "unknown", "ten-steps"),
        ("metatarsal_4_shaft", "tendon", "ten-steps"),  # the site decides the tissue (RF-8)
        ("navicular", "unknown", "bone-high-risk"),
        ("femoral_neck", "bone", "bone-high-risk"),
        ("achilles", "tendon", "achilles-tendinopathy"),
        ("achilles", "unknown", "achilles-tendinopathy"),
        ("patellar_tendon", "tendon", "patellar-tendinopathy"),
        ("plantar_fascia", "fascia", "plantar-fasciitis"),
        ("calf", "muscle", "muscle-strain"),
        ("hamstring", "unknown", "muscle-strain"),
        ("low_back", "unknown", "low-back-pain"),
        ("achilles", "bone", "ten-steps"),  # said to be a bone injury: the bone program
        ("it_band", "other", "ten-steps"),  # no program of its own: the most cautious one
    ],
)
def test_the_proposal_fits_the_site_and_kind_and_says_why(
    site: str, kind: str, expected: str
) -> None:
    injury = Injury(site=site, side="left", kind=kind, onset=START)  # type: ignore[arg-type]

    proposal = propose(injury, builtin_protocol_names())

    assert proposal.protocol == expected
    assert proposal.why.endswith(".") and len(proposal.why) > 40


def test_an_injury_imaged_as_a_stress_fracture_gets_a_bone_program_whatever_the_site() -> None:
    injury = Injury.model_validate(
        {
            "site": "calf",
            "side": "left",
            "kind": "muscle",
            "onset": START,
            "imaging": [{"date": START, "modality": "mri", "result": "positive"}],
        }
    )

    assert propose(injury, builtin_protocol_names()).protocol == "ten-steps"
