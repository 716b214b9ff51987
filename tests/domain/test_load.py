"""Load analytics on synthetic series: totals, LOAD-1 spikes, LOAD-2 ramps, LOAD-3 ratios and
LOAD-4 monotony, with Hypothesis checking each against its plain definition."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from restride.domain import load
from restride.domain.activity import Activity, Sport

DAY0 = dt.date(2026, 1, 5)  # a Monday


def make_activity(
    day: int, minutes: float, sport: Sport = "running", km: float | None = None, **extra: object
) -> Activity:
    start = dt.datetime.combine(DAY0 + dt.timedelta(days=day), dt.time(7), tzinfo=dt.UTC)
    digest = hashlib.sha256(f"{start}{sport}{minutes}".encode()).hexdigest()
    return Activity(
        start=start,
        sport=sport,
        source=f"day{day}.fit",
        content_sha256=digest,
        duration_s=minutes * 60,
        distance_m=None if km is None else km * 1000,
        **extra,  # type: ignore[arg-type]
    )


# --- totals ---------------------------------------------------------------------------------------


def test_daily_totals_are_per_sport_and_day_and_fold_into_monday_weeks() -> None:
    activities = [
        make_activity(0, 30, km=5),
        make_activity(0, 10, "walking", km=1),
        make_activity(2, 45, "swimming", km=1.8),
        make_activity(8, 40, "trail_running", km=6),
    ]

    daily = load.daily_totals(activities, DAY0, DAY0 + dt.timedelta(days=13))

    assert daily.periods == 14
    assert daily.minutes["running"][0] == 30
    assert daily.minutes["walking"][0] == 10
    assert daily.km["swimming"][2] == pytest.approx(1.8)
    assert list(daily.running()[[0, 8]]) == [30, 40]  # trail running is running
    weekly = daily.weekly()
    assert weekly.starts() == [DAY0, DAY0 + dt.timedelta(weeks=1)]
    assert list(weekly.total()) == [85, 40]
    assert list(weekly.running(measure="km")) == [5, 6]


def test_weeks_start_on_monday_whatever_day_the_series_starts() -> None:
    wednesday = DAY0 + dt.timedelta(days=2)
    daily = load.daily_totals([make_activity(6, 20)], wednesday, wednesday + dt.timedelta(days=9))

    weekly = daily.weekly()

    assert weekly.first == DAY0
    assert list(weekly.running()) == [20, 0]


def test_moving_time_counts_where_the_file_has_it() -> None:
    run = make_activity(0, 60, moving_s=50 * 60)
    assert load.activity_minutes(run) == 50


# --- LOAD-1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "now", "band"),
    [
        (40, 44, None),  # exactly +10%: not over it
        (40, 45, "warn"),  # LOAD-5: +12.5%
        (40, 52, "warn"),  # +30%
        (40, 53, "flag"),
        (40, 80, "flag"),  # +100%
        (10, 15, "flag"),  # LOAD-5: +50%
        (40, 81, "severe"),
    ],
)
def test_spike_bands_follow_load_1(before: float, now: float, band: str | None) -> None:
    runs = [make_activity(0, before), make_activity(7, now)]

    last = load.compare_runs(runs)[-1]

    assert last.rise == pytest.approx(now / before - 1)
    assert last.band == band


def test_the_example_of_load_5_is_twelve_and_a_half_percent() -> None:
    runs = [make_activity(d, 40) for d in (0, 2, 4)] + [make_activity(7, 45)]
    (spike,) = load.spikes_of(load.compare_runs(runs))
    assert (spike.previous_longest, spike.value, spike.rise) == (40, 45, pytest.approx(0.125))


@given(
    earlier=st.lists(st.tuples(st.integers(1, 60), st.floats(5, 200)), min_size=1, max_size=20),
    minutes=st.floats(5, 300),
)
def test_a_run_is_compared_with_the_longest_run_of_the_30_days_before_it(
    earlier: list[tuple[int, float]], minutes: float
) -> None:
    today = 70
    runs = [make_activity(today - back, m) for back, m in earlier]
    runs.append(make_activity(today, minutes))

    last = next(c for c in load.compare_runs(runs) if c.day == DAY0 + dt.timedelta(days=today))

    window = [m for back, m in earlier if back <= 30]
    if not window:
        assert (last.previous_longest, last.rise, last.band) == (0, None, None)
    else:
        assert last.previous_longest == pytest.approx(max(window))
        assert last.rise == pytest.approx(minutes / max(window) - 1)


def test_runs_of_the_same_day_are_not_compared_with_each_other() -> None:
    runs = [make_activity(0, 20), make_activity(0, 60)]
    assert [c.rise for c in load.compare_runs(runs)] == [None, None]


def test_the_spike_check_also_runs_on_distance() -> None:
    runs = [make_activity(0, 40, km=8), make_activity(5, 40, km=10)]
    last = load.compare_runs(runs, measure="km")[-1]
    assert (last.rise, last.band) == (pytest.approx(0.25), "warn")


# --- LOAD-2 ---------------------------------------------------------------------------------------


def test_weekly_ramps_are_banded_against_the_soft_and_hard_caps() -> None:
    ramps = load.weekly_ramps(np.array([100.0, 105, 120, 160, 0, 50]), DAY0)

    assert [(r.week_start, r.band) for r in ramps] == [
        (DAY0 + dt.timedelta(weeks=1), None),
        (DAY0 + dt.timedelta(weeks=2), "soft"),
        (DAY0 + dt.timedelta(weeks=3), "hard"),
        (DAY0 + dt.timedelta(weeks=4), None),  # a drop to nothing
    ]  # and nothing against a week with no load
    assert ramps[2].rise == pytest.approx(160 / 120 - 1)


# --- LOAD-3 ---------------------------------------------------------------------------------------


def plain_ewma(values: list[float], lam: float) -> list[float]:
    out, e = [], 0.0
    for x in values:
        e = lam * x + (1 - lam) * e
        out.append(e)
    return out


@given(
    values=st.lists(st.floats(0, 300), min_size=1, max_size=400),
    n=st.sampled_from([7, 28, 3, 60]),
)
def test_ewma_matches_its_recursive_definition_with_lambda_two_over_n_plus_one(
    values: list[float], n: int
) -> None:
    lam = 2 / (n + 1)
    got = load.ewma(np.array(values), lam)
    assert got == pytest.approx(plain_ewma(values, lam), rel=1e-9, abs=1e-9)


def test_ewma_stays_finite_over_years_of_days() -> None:
    values = np.abs(np.sin(np.arange(3000))) * 60
    got = load.ewma(values, 2 / 8)
    assert np.all(np.isfinite(got))
    assert got[-1] == pytest.approx(plain_ewma(list(values), 2 / 8)[-1])


def test_acute_chronic_ratios_are_one_under_a_steady_load_and_missing_before_28_days() -> None:
    steady = np.full(200, 30.0)

    rolling, ewma = load.rolling_acwr(steady), load.ewma_acwr(steady)

    assert np.all(np.isnan(rolling[:27])) and np.all(np.isnan(ewma[:27]))
    assert rolling[27:] == pytest.approx(1.0)
    assert ewma[-1] == pytest.approx(1.0, abs=1e-3)


def test_the_rolling_ratio_is_the_last_week_over_the_last_four() -> None:
    daily = np.concatenate([np.full(21, 10.0), np.full(7, 40.0)])
    assert load.rolling_acwr(daily)[-1] == pytest.approx(40 / ((21 * 10 + 7 * 40) / 28))


# --- LOAD-4 ---------------------------------------------------------------------------------------


@given(st.lists(st.floats(0, 200), min_size=7, max_size=7))
def test_monotony_is_the_mean_over_the_sd_and_strain_the_load_times_monotony(
    days: list[float],
) -> None:
    (week,) = load.monotony_and_strain(np.array(days), DAY0)

    sd = float(np.std(days))
    assert week.load == pytest.approx(sum(days))
    if sd <= 1e-9:
        assert week.monotony is None and week.strain is None
    else:
        assert week.monotony == pytest.approx(np.mean(days) / sd)
        assert week.strain == pytest.approx(sum(days) * np.mean(days) / sd)


def test_six_sessions_a_week_of_the_same_length_is_monotonous() -> None:
    (week,) = load.monotony_and_strain(np.array([0, 45, 40, 45, 40, 45, 40.0]), DAY0)
    assert week.monotony is not None and week.monotony > load.HIGH_MONOTONY
