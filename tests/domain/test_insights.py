"""The post-mortem on synthetic histories, the demo runner's above all, and the maintain-phase
checks on new runs."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from restride.domain.findings import InsightSettings
from restride.domain.insights import check_new, post_mortem
from restride.services.demo import DEMO_SHOES, demo_activities
from tests.domain.test_load import DAY0, make_activity
from tests.domain.test_shoes import CUSHIONED, SHOES, VIBRAM

ONSET = dt.date(2026, 2, 9)
DEMO_SHOE_SPECS = {s.name: s for s in DEMO_SHOES}


def demo() -> list:  # type: ignore[type-arg]
    return demo_activities(ONSET, ONSET + dt.timedelta(days=21))


def test_the_demo_post_mortem_names_the_5_minute_progression_first() -> None:
    found = post_mortem(demo(), DEMO_SHOE_SPECS, ONSET, site="metatarsal_4_shaft")

    top = found.findings[0]
    assert top.kind == "progression"
    assert top.evidence == ("LOAD-1", "LOAD-5")
    assert "by 5 min a week, from 10 to 45 min over 8 weeks" in top.detail
    assert "The last step, 40 to 45 min" in top.detail and "+12.5%" in top.detail
    assert "10 to 15 min, was +50.0%" in top.detail
    assert top.numbers["rise"] == pytest.approx(0.125)
    assert top.numbers["step_min"] == 5
    assert "extrapolation [I]" in top.caveat


def test_the_demo_post_mortem_names_the_shoe_alternation_and_minimalist_share() -> None:
    found = post_mortem(demo(), DEMO_SHOE_SPECS, ONSET, site="metatarsal_4_shaft")

    shoes = next(f for f in found.findings if f.kind == "shoes")
    assert found.findings.index(shoes) == 1
    assert set(shoes.evidence) >= {"MIN-3", "MIN-5", "MIN-6"}
    assert "Vibram FiveFingers: minimalist, MI 98%" in shoes.detail
    assert "Newton Gravity: cushioned, MI 54%" in shoes.detail
    assert "minimalist shoes carried 52% of the running distance" in shoes.detail
    assert "Counting minimalist runs alone (MIN-5)" in shoes.detail
    assert "[U]" in shoes.caveat and "[I]" in shoes.caveat


def test_the_demo_post_mortem_shows_ramps_and_monotony_and_the_ratio_only_as_context() -> None:
    found = post_mortem(demo(), DEMO_SHOE_SPECS, ONSET)

    kinds = [f.kind for f in found.findings]
    assert "ramp" in kinds and "monotony" in kinds and "asymmetry" not in kinds
    assert found.acwr_rolling is not None and found.acwr_ewma is not None
    assert all("LOAD-3" not in f.evidence for f in found.findings)  # never ranked
    week = next(w for w in found.weeks if w.longest_run_min == 40)
    assert (week.runs, week.run_min, week.other_min) == (3, 115, 135)


def test_a_lone_spike_is_reported_with_its_band_and_hazard_ratio() -> None:
    runs = [make_activity(d, 30, km=5) for d in range(0, 40, 3)]
    runs.append(make_activity(41, 65, km=11))

    found = post_mortem(runs, {}, DAY0 + dt.timedelta(days=42))

    (spike,) = [f for f in found.findings if f.kind == "spike"]
    assert spike.evidence == ("LOAD-1",)
    assert "65 min" in spike.detail and "+116.7%" in spike.detail
    assert "severe band, HRR 2.28 (1.50-3.48)" in spike.detail


def test_what_happened_before_the_window_is_not_reported() -> None:
    runs = [make_activity(0, 20), make_activity(3, 60)]  # +200%, 16 weeks before
    runs += [make_activity(d, 30) for d in range(60, 112, 3)]
    found = post_mortem(runs, {}, DAY0 + dt.timedelta(days=112))
    assert not [f for f in found.findings if f.kind in ("spike", "progression")]


def test_a_switch_to_minimalist_shoes_is_found_with_its_distance_from_the_onset() -> None:
    runs = [make_activity(d, 30, km=5, gear=CUSHIONED.name) for d in range(0, 30, 3)]
    runs += [make_activity(d, 30, km=5, gear=VIBRAM.name) for d in range(30, 50, 3)]

    found = post_mortem(runs, SHOES, DAY0 + dt.timedelta(days=50), site="navicular")

    (switch,) = [f for f in found.findings if f.kind == "shoe_switch"]
    assert switch.title == "Switched from cushioned to minimalist shoes"
    assert "20 days before the onset" in switch.detail
    assert switch.evidence == ("MIN-3", "MIN-5", "MIN-6")


def test_a_sustained_stance_time_imbalance_is_a_possible_kink_in_the_step() -> None:
    balances = [50.2, 49.9, 51.8, 52.1, 51.9, 52.4, 51.7]
    runs = [
        make_activity(3 * i, 40, stance_balance_left_pct_avg=b, gct_ms_avg=250 + i)
        for i, b in enumerate(balances)
    ]

    found = post_mortem(runs, {}, DAY0 + dt.timedelta(days=20))

    (kink,) = [f for f in found.findings if f.kind == "asymmetry"]
    assert "kink in your step" in kink.title
    assert "leaned to the left" in kink.detail and "5 of the last 5" in kink.detail
    assert kink.evidence == () and "[I]" in kink.caveat
    even = [dataclasses.replace(r, stance_balance_left_pct_avg=50.3) for r in runs]
    assert not [f for f in post_mortem(even, {}, DAY0 + dt.timedelta(days=20)).findings]


def test_new_runs_in_maintenance_are_checked_against_the_history_before_them() -> None:
    history = [make_activity(d, 40, km=7, gear=VIBRAM.name) for d in range(0, 28, 2)]
    calm = make_activity(29, 40, km=7, gear=VIBRAM.name)
    jump = make_activity(30, 60, km=10, gear=VIBRAM.name)

    assert check_new([*history, calm], SHOES, [calm]) == []
    warnings = check_new([*history, calm, jump], SHOES, [jump])

    kinds = {f.kind: f for f in warnings}
    assert kinds["spike"].evidence == ("LOAD-1",) and "+50.0%" in kinds["spike"].detail
    assert kinds["minimalist_spike"].evidence == ("MIN-5", "LOAD-1")


def test_settings_change_the_window() -> None:
    found = post_mortem(demo(), DEMO_SHOE_SPECS, ONSET, settings=InsightSettings(weeks_before=4))
    assert found.window_start == ONSET - dt.timedelta(weeks=4) + dt.timedelta(days=1)
    assert "from 30 to 45 min over 4 weeks" in found.findings[0].detail
