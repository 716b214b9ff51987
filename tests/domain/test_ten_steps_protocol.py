"""The built-in `ten-steps` protocol covers the seed's ten steps with real, safe content."""

from __future__ import annotations

from restride.domain.evidence import SEED_STEPS
from restride.domain.protocol import (
    CheckinStreak,
    ClinicianClearance,
    IntervalBlock,
    MinDaysFromStart,
    MinDaysInPhase,
    Phase,
    Prescription,
    Protocol,
    check_protocol,
    run_minutes,
)

DESIGN_ORDER = ["offload", "rest", "corrective", "walk", "run", "maintain"]


def phase(protocol: Protocol, phase_id: str) -> Phase:
    return protocol.phases[protocol.phase_index(phase_id)]


def all_items(p: Phase) -> list[Prescription]:
    return list(p.daily) + [item for week in p.weeks for item in week.items]


def referenced_rules(protocol: Protocol) -> set[str]:
    used = set(protocol.engine_rules.values())
    used |= {f.rule for f in protocol.red_flags} | {s.rule for s in protocol.setbacks}
    for p in protocol.phases:
        used |= {p.rule, *p.cite}
        used |= {c.rule for c in p.exit} | {c.rule for c in p.cross_training}
        used |= {item.rule for item in all_items(p)}
    return used


def test_every_one_of_the_ten_steps_is_implemented_by_a_rule(protocol: Protocol) -> None:
    steps = {rule.step for rule in protocol.rules}
    assert steps == set(SEED_STEPS)


def test_every_rule_in_the_catalog_is_used_and_every_rule_used_exists(protocol: Protocol) -> None:
    assert referenced_rules(protocol) == {rule.id for rule in protocol.rules}


def test_the_phases_follow_the_design_in_order(protocol: Protocol) -> None:
    assert [p.id for p in protocol.phases] == DESIGN_ORDER
    assert check_protocol(protocol) == []


def test_the_minimum_durations_are_the_seeds(protocol: Protocol) -> None:
    rest = phase(protocol, "rest").exit
    assert [c.days for c in rest if isinstance(c, MinDaysFromStart)] == [14]
    for phase_id, days, weeks in (("corrective", 56, 8), ("walk", 42, 6), ("run", 84, 12)):
        p = phase(protocol, phase_id)
        assert [c.days for c in p.exit if isinstance(c, MinDaysInPhase)] == [days]
        assert len(p.weeks) == weeks


def test_offload_ends_only_on_pain_free_walking_without_a_limp(protocol: Protocol) -> None:
    (streak,) = phase(protocol, "offload").exit
    assert isinstance(streak, CheckinStreak)
    fields = {(c.field, c.at_most, c.is_) for c in streak.require}
    assert ("pain_walking", 0, None) in fields and ("limp", None, False) in fields


def test_each_loading_phase_needs_clearance_at_a_high_risk_site(protocol: Protocol) -> None:
    for phase_id in ("rest", "corrective", "walk"):
        gates = [c for c in phase(protocol, phase_id).exit if isinstance(c, ClinicianClearance)]
        assert [g.when for g in gates] == ["high_risk_site"], phase_id
    assert {"navicular", "femoral_neck", "tibia_anterior", "metatarsal_5_base"} <= set(
        protocol.high_risk_sites
    )


def test_the_walk_program_builds_from_20_to_45_minutes_five_days_a_week(
    protocol: Protocol,
) -> None:
    walks = [
        next(i for i in week.items if i.kind == "walk") for week in phase(protocol, "walk").weeks
    ]
    assert [w.minutes for w in walks] == [20, 25, 30, 35, 40, 45]
    assert all(len(w.days) == 5 for w in walks)


def test_the_run_program_goes_from_one_minute_runs_to_thirty_continuous_on_alternate_days(
    protocol: Protocol,
) -> None:
    runs = [
        next(i for i in week.items if i.kind in ("walk_run", "run"))
        for week in phase(protocol, "run").weeks
    ]
    assert runs[0].intervals is not None and runs[0].intervals.blocks[0].run_s == 60
    assert runs[-1].intervals is not None and runs[-1].intervals.run_min == 30
    assert runs[-1].intervals.blocks[0].walk_s == 0
    assert all(r.days == [1, 3, 5] for r in runs)


def test_no_planned_run_is_more_than_ten_percent_longer_than_the_weeks_before(
    protocol: Protocol,
) -> None:
    for phase_id in ("run", "maintain"):
        longest = [max(run_minutes(i) for i in w.items) for w in phase(protocol, phase_id).weeks]
        for week, minutes in enumerate(longest[1:], start=1):
            assert minutes <= max(longest[max(0, week - 4) : week]) * 1.10 + 1e-9, (phase_id, week)


def test_a_protocol_whose_run_weeks_jump_more_than_thirty_percent_is_refused(
    protocol: Protocol,
) -> None:
    run = phase(protocol, "run")
    week9 = run.weeks[8]
    spiky_item = week9.items[0].model_copy(
        update={
            "intervals": week9.items[0].intervals.model_copy(  # type: ignore[union-attr]
                update={"blocks": [IntervalBlock(repeats=1, run_s=1800, walk_s=0)]}
            )
        }
    )
    weeks = list(run.weeks)
    weeks[8] = week9.model_copy(update={"items": [spiky_item, *week9.items[1:]]})
    phases = list(protocol.phases)
    phases[protocol.phase_index("run")] = run.model_copy(update={"weeks": weeks})
    problems = check_protocol(protocol.model_copy(update={"phases": phases}))
    assert [p.path for p in problems] == ["phases[4].weeks[8]"]
    assert "LOAD-1" in problems[0].message


def test_self_massage_every_day_uses_all_four_tools_of_step_4(protocol: Protocol) -> None:
    library = protocol.library.exercises
    for p in protocol.phases:
        (massage,) = [i for i in p.daily if i.kind == "self_massage"]
        assert len(massage.days) == 7
        tools = {library[e.id].tool for e in massage.exercises}
        assert {"foam_roller", "soft_ball", "lacrosse_ball", "golf_ball"} <= tools


def test_each_corrective_level_works_feet_hips_shoulders_and_core(protocol: Protocol) -> None:
    library = protocol.library.exercises
    areas = {
        "feet": {"foot_sole", "foot_forefoot", "foot_midfoot"},
        "hips": {"hip"},
        "shoulders": {"shoulder", "upper_back"},
        "core": {"low_back"},
    }
    for week in phase(protocol, "corrective").weeks:
        worked = {r for item in week.items for e in item.exercises for r in library[e.id].works}
        for area, regions in areas.items():
            assert worked & regions, (week.week, area)


def test_functional_training_moves_in_all_three_planes(protocol: Protocol) -> None:
    ids = {e.id for item in all_items(phase(protocol, "maintain")) for e in item.exercises}
    assert {"fn-lunge-forward", "fn-lunge-lateral", "fn-lunge-rotational"} <= ids


def test_every_exercise_the_protocol_prescribes_has_a_name_and_instructions(
    protocol: Protocol,
) -> None:
    library = protocol.library.exercises
    for p in protocol.phases:
        for item in all_items(p):
            for dose in item.exercises:
                exercise = library[dose.id]
                assert exercise.name and len(exercise.summary) > 30, dose.id
