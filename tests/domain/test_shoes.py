"""Shoes: the Minimalist Index (MIN-6), use per shoe, minimalist share, switches."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restride.domain import shoes as sh
from tests.domain.test_load import DAY0, make_activity

VIBRAM = sh.ShoeSpec("Vibram FiveFingers", 140, 6, 0, flexibility=5, motion_control=5)
CUSHIONED = sh.ShoeSpec("Cloud Pillow", 320, 36, 12, flexibility=1, motion_control=2)
SHOES = {s.name: s for s in (VIBRAM, CUSHIONED)}


def index(**figures: float) -> float:
    base = {"weight_g": 200, "stack_mm": 20, "drop_mm": 7, "flexibility": 3, "motion_control": 3}
    return sh.minimalist_index(**{**base, **figures}).percent  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("subscale", "five", "zero"),
    [("weight", 125, 325), ("stack", 8, 32), ("drop", 1, 13)],
)
def test_each_subscale_scores_5_at_its_light_anchor_0_at_its_heavy_one_linear_between(
    subscale: str, five: float, zero: float
) -> None:
    assert sh.anchored_points(five - 1, five, zero) == 5
    assert sh.anchored_points(five, five, zero) == 5
    assert sh.anchored_points((five + zero) / 2, five, zero) == 2.5
    assert sh.anchored_points(zero, five, zero) == 0
    assert sh.anchored_points(zero + 50, five, zero) == 0
    assert sh.ANCHORS[subscale] == (five, zero)


def test_the_index_is_the_sum_of_five_subscales_times_four() -> None:
    found = sh.minimalist_index(
        weight_g=225, stack_mm=20, drop_mm=7, flexibility=4, motion_control=1
    )
    assert found.points == {
        "weight": 2.5,
        "stack": 2.5,
        "drop": 2.5,
        "flexibility": 4,
        "motion_control": 1,
    }
    assert found.percent == 50.0


def test_a_barefoot_shoe_is_near_100_and_a_stability_shoe_near_0() -> None:
    assert VIBRAM.percent == 98.5  # 4.625 + 5 + 5 + 5 + 5 points, times 4
    assert VIBRAM.kind == "minimalist"
    assert CUSHIONED.percent is not None and CUSHIONED.percent < 20
    assert CUSHIONED.kind == "cushioned"


@given(
    lighter=st.floats(50, 500),
    heavier=st.floats(50, 500),
    stack=st.floats(0, 60),
    drop=st.floats(-5, 20),
    flexibility=st.integers(0, 5),
    motion_control=st.integers(0, 5),
)
def test_the_index_stays_0_to_100_and_a_lighter_shoe_never_scores_lower(
    lighter: float, heavier: float, stack: float, drop: float, flexibility: int, motion_control: int
) -> None:
    lighter, heavier = sorted((lighter, heavier))
    rest = {"stack_mm": stack, "drop_mm": drop}
    rest |= {"flexibility": flexibility, "motion_control": motion_control}
    light = sh.minimalist_index(weight_g=lighter, **rest).percent  # type: ignore[arg-type]
    heavy = sh.minimalist_index(weight_g=heavier, **rest).percent  # type: ignore[arg-type]
    assert 0 <= heavy <= light <= 100


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"flexibility": 6}, "flexibility: must be a whole number 0-5"),
        ({"motion_control": -1}, "motion_control: must be a whole number 0-5"),
        ({"weight_g": 0}, "weight_g: 0 g is not the weight of a shoe"),
        ({"stack_mm": float("nan")}, "stack_mm: nan is not a number"),
    ],
)
def test_impossible_figures_are_refused_by_name(figures: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        index(**figures)


def test_a_shoe_without_all_five_figures_has_no_index_unless_one_was_stored() -> None:
    partial = sh.ShoeSpec("Mystery", weight_g=200)
    assert partial.missing() == ["stack", "drop", "flexibility", "motion_control"]
    assert (partial.percent, partial.kind) == (None, "unknown")
    assert sh.ShoeSpec("Stored", index_pct=80).kind == "minimalist"


def test_use_per_shoe_counts_runs_km_and_minutes_by_gear() -> None:
    activities = [
        make_activity(0, 30, km=5, gear=VIBRAM.name),
        make_activity(3, 60, km=10, gear=VIBRAM.name),
        make_activity(4, 50, "walking", km=4, gear=CUSHIONED.name),
        make_activity(5, 20, km=3),
    ]

    used = sh.use_per_shoe(activities)

    assert set(used) == {VIBRAM.name, CUSHIONED.name}
    vibram = used[VIBRAM.name]
    assert (vibram.runs, vibram.km, vibram.minutes) == (2, 15, 90)
    assert (vibram.first, vibram.last) == (DAY0, DAY0 + dt.timedelta(days=3))
    assert (used[CUSHIONED.name].runs, used[CUSHIONED.name].activities) == (0, 1)


def test_the_minimalist_share_is_of_each_weeks_distance_in_shoes_of_known_type() -> None:
    runs = [
        make_activity(0, 30, km=6, gear=VIBRAM.name),
        make_activity(2, 30, km=4, gear=CUSHIONED.name),
        make_activity(3, 30, km=9, gear="Unknown Trainer"),  # no figures: left out
        make_activity(8, 30, km=5, gear=CUSHIONED.name),
    ]

    share = sh.minimalist_share(runs, SHOES, DAY0, 3)

    assert list(share.minimalist_km) == [6, 0, 0]
    assert list(share.total_km) == [10, 5, 0]
    assert share.share[0] == pytest.approx(0.6) and share.share[1] == 0
    assert share.share[2] != share.share[2]  # NaN: no runs that week


def test_switches_between_types_and_alternation_are_found() -> None:
    steady = [make_activity(d, 30, gear=CUSHIONED.name) for d in range(0, 12, 2)]
    switched = [make_activity(d, 30, gear=VIBRAM.name) for d in range(12, 20, 2)]

    (switch,) = sh.type_switches(steady + switched, SHOES)

    assert (switch.day, switch.from_type, switch.to_type) == (
        DAY0 + dt.timedelta(days=12),
        "cushioned",
        "minimalist",
    )
    assert sh.alternation(steady + switched, SHOES) is None
    back_and_forth = [
        make_activity(d, 30, gear=(VIBRAM if d % 4 else CUSHIONED).name) for d in range(0, 24, 2)
    ]
    found = sh.alternation(back_and_forth, SHOES)
    assert found is not None
    assert (found.runs, found.switches, found.minimalist_runs, found.rate) == (12, 11, 6, 1.0)
