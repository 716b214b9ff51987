"""The post-mortem: what in the weeks before an injury's onset stands out, ranked, each finding
with its numbers, its CLINICAL.md IDs and what the evidence does not support: run spikes and
the build-up they make (LOAD-1, LOAD-5), weekly ramps (LOAD-2), shoes (MIN-*, in `shoes.py`),
monotony (LOAD-4) and a left-right imbalance. The same checks run on newly imported runs once a
runner is back to maintaining (`check_new`).

Findings are associations to talk over with a therapist, never causes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from restride.domain import load
from restride.domain import shoes as sh
from restride.domain.findings import HAZARD, Finding, InsightSettings, Window, num, pct

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from restride.domain.activity import Activity

ASYMMETRY_CAVEAT = (
    "No CLINICAL.md rule: the seed's 'kink in your step' (step 8) with restride's own "
    "threshold [I]; watch sensors differ, and a real asymmetry needs a gait assessment."
)


@dataclass(frozen=True)
class WeekRow:
    start: dt.date
    runs: int
    run_min: float
    run_km: float
    longest_run_min: float
    other_min: float  # every other sport: swims, rides, walks
    minimalist_share: float | None


@dataclass(frozen=True)
class PostMortem:
    onset: dt.date
    window_start: dt.date
    findings: tuple[Finding, ...]  # best first
    weeks: tuple[WeekRow, ...]
    acwr_rolling: float | None  # LOAD-3 at the onset, running minutes; shown only
    acwr_ewma: float | None
    activities: int  # in the window


# --- LOAD-1 and LOAD-5 --------------------------------------------------------------------


def spike_findings(w: Window) -> list[Finding]:
    compared = w.compare(w.runs, "minutes")
    by_km = {id(c.activity): c for c in w.compare(w.runs, "km")}
    spikes = [c for c in load.spikes_of(compared) if w.inside(c.day)]
    if not spikes:
        return []
    build_up = progression(w, spikes, by_km)
    if build_up is not None:
        return [build_up]
    return sorted(
        (spike_finding(w, c, by_km.get(id(c.activity))) for c in spikes), key=lambda f: -f.score
    )[:5]


def spike_finding(w: Window, c: load.Spike, km: load.RunComparison | None) -> Finding:
    detail = (
        f"{num(c.value)} min on {c.day} against {num(c.previous_longest)} min, the longest"
        f" run of the previous {w.s.lookback_days} days: {pct(c.rise)}"
        f" ({c.band} band, {load.SPIKE_HAZARD[c.band]})."
    )
    if km is not None and km.rise is not None:
        detail += (
            f" In distance: {km.value:.1f} against {km.previous_longest:.1f} km, {pct(km.rise)}."
        )
    score = HAZARD[c.band] * w.weight(c.day)
    numbers = {"minutes": c.value, "previous_longest_min": c.previous_longest, "rise": c.rise}
    return Finding(
        "spike",
        f"A run {pct(c.rise)} longer than any of the previous {w.s.lookback_days} days",
        detail,
        ("LOAD-1",),
        load.CAVEATS["LOAD-1"],
        score,
        c.day,
        numbers,
    )


def progression(
    w: Window, spikes: list[load.Spike], by_km: dict[int, load.RunComparison]
) -> Finding | None:
    """Weekly longest runs rising week after week: one finding for the whole build-up."""
    first_week = load.monday_of(w.start + dt.timedelta(days=1))
    weeks = (w.end.toordinal() - first_week.toordinal()) // 7 + 1
    index = (w.cols.day - first_week.toordinal()) // 7
    mask = w.cols.is_run & (index >= 0) & (index < weeks)
    longest = np.zeros(weeks)
    np.maximum.at(longest, index[mask], w.cols.minutes[mask])
    ran = longest[longest > 0]
    steps = np.diff(ran)
    rising = _rising_steps(steps)
    if rising < w.s.min_progression_steps:
        return None
    flat = len(steps) - len(np.trim_zeros(steps, "b"))
    tail = ran[len(ran) - flat - rising - 1 : len(ran) - flat]
    diffs = np.diff(tail)
    steady = bool(np.ptp(diffs) < 0.5)
    how = f"by {num(float(diffs[0]))} min a week" if steady else "week after week"
    last, biggest = spikes[-1], max(spikes, key=lambda c: c.rise)
    bands = [c.band for c in spikes]
    counts = ", ".join(f"{bands.count(b)} {b}" for b in ("severe", "flag", "warn") if b in bands)
    series = " > ".join(num(float(v)) for v in tail)
    detail = (
        f"The longest run grew {how}, from {num(float(tail[0]))} to "
        f"{num(float(tail[-1]))} min over {len(tail)} weeks ({series} min). {len(spikes)}"
        f" runs were over +{w.s.spike_warn:.0%} on the longest of the previous"
        f" {w.s.lookback_days} days ({counts}). The last step, "
        f"{num(last.previous_longest)} to {num(last.value)} min on {last.day}, was "
        f"{pct(last.rise)}: in the {last.band} band of LOAD-1 ({load.SPIKE_HAZARD[last.band]})"
    )
    if biggest is not last:
        detail += (
            f"; the biggest, {num(biggest.previous_longest)} to {num(biggest.value)} min, "
            f"was {pct(biggest.rise)}"
        )
    km = by_km.get(id(last.activity))
    if km is not None and km.rise is not None:
        detail += (
            f". In distance the last step was {km.previous_longest:.1f} to {km.value:.1f} km"
            f" ({pct(km.rise)})"
        )
    score = max(HAZARD[c.band] * w.weight(c.day) for c in spikes) + 0.5
    return Finding(
        "progression",
        f"A steady build-up: runs growing {how} up to the onset",
        detail + ".",
        ("LOAD-1", "LOAD-5"),
        load.CAVEATS["LOAD-1"],
        score,
        last.day,
        {
            "step_min": float(diffs[-1]),
            "from_min": last.previous_longest,
            "to_min": last.value,
            "rise": last.rise,
            "spikes": float(len(spikes)),
            "biggest_rise": biggest.rise,
        },
    )


# --- LOAD-2 -------------------------------------------------------------------------------


def ramp_findings(w: Window) -> list[Finding]:
    # From the week before the window's first, so that week has one to compare with.
    first_week = load.monday_of(w.start + dt.timedelta(days=1)) - dt.timedelta(weeks=1)
    weeks = (w.end.toordinal() - first_week.toordinal()) // 7 + 1
    minutes, _km = load.weekly_running(w.cols, first_week, weeks)
    s = w.s
    over = [
        r
        for r in load.weekly_ramps(minutes, first_week, soft=s.ramp_soft, hard=s.ramp_hard)
        if r.band is not None and r.week_start + dt.timedelta(days=6) > w.start
    ]
    if not over:
        return []
    hard = [r for r in over if r.band == "hard"]
    last = over[-1]
    detail = (
        f"Weekly running time rose more than {s.ramp_soft:.0%} in {len(over)} weeks"
        f" ({len(hard)} over the {s.ramp_hard:.0%} hard cap). Latest: week of "
        f"{last.week_start}, {num(last.previous)} to {num(last.value)} min"
        f" ({pct(last.rise)})."
    )
    score = (1.59 if hard else 1.2) * w.weight(last.week_start)
    return [
        Finding(
            "ramp",
            "Weekly running time rising faster than the 10% cap",
            detail,
            ("LOAD-2",),
            load.CAVEATS["LOAD-2"],
            score,
            last.week_start,
            {"weeks_over": float(len(over)), "last_rise": last.rise},
        )
    ]


# --- LOAD-4 -------------------------------------------------------------------------------


def monotony_findings(w: Window) -> list[Finding]:
    totals = load.daily_totals(w.cols.activities, w.start + dt.timedelta(days=1), w.end, w.zone)
    weeks = [
        week
        for week in load.monotony_and_strain(totals.total(), totals.first)
        if week.monotony is not None
        and week.monotony > w.s.monotony_high
        and week.week_start >= totals.first
        and week.week_start + dt.timedelta(days=6) <= w.end
    ]
    if not weeks:
        return []
    top = max(weeks, key=lambda week: week.monotony or 0.0)
    monotony, strain = top.monotony or 0.0, top.strain or 0.0
    detail = (
        f"Training monotony (mean / SD of daily minutes, every sport) was above "
        f"{w.s.monotony_high:g} in {len(weeks)} full weeks; highest {monotony:.2f} in the"
        f" week of {top.week_start} ({num(top.load)} min, strain {strain:.0f})."
    )
    return [
        Finding(
            "monotony",
            "Much the same training every day",
            detail,
            ("LOAD-4",),
            load.CAVEATS["LOAD-4"],
            1.1 * w.weight(top.week_start),
            top.week_start,
            {"monotony": monotony, "weeks": float(len(weeks))},
        )
    ]


# --- Running dynamics ---------------------------------------------------------------------


def asymmetry_findings(w: Window) -> list[Finding]:
    with_balance = [r for r in w.runs if r.stance_balance_left_pct_avg is not None]
    n = w.s.asymmetry_runs
    if len(with_balance) < n or not w.inside(w.day(with_balance[-1])):
        return []
    last = np.array([r.stance_balance_left_pct_avg for r in with_balance[-n:]], dtype=np.float64)
    off = last - 50.0
    side = np.sign(np.median(off))
    beyond = np.sum((np.abs(off) >= w.s.asymmetry_points) & (np.sign(off) == side))
    if side == 0 or beyond < n - 1:
        return []
    words = "left" if side > 0 else "right"
    detail = (
        f"In {beyond} of the last {n} runs with running dynamics, stance time leaned to the "
        f"{words} by {w.s.asymmetry_points:g} points or more (mean {last.mean():.1f}% left"
        f"; even is 50%)."
    )
    gct = [r.gct_ms_avg for r in with_balance if r.gct_ms_avg is not None]
    if len(gct) >= 2:
        detail += f" Ground contact time went from {gct[0]:.0f} to {gct[-1]:.0f} ms."
    day = w.day(with_balance[-1])
    return [
        Finding(
            "asymmetry",
            "A sustained left-right imbalance: a possible 'kink in your step'",
            detail,
            (),
            ASYMMETRY_CAVEAT,
            1.0 * w.weight(day),
            day,
            {"left_pct_mean": float(last.mean()), "runs_beyond": float(beyond)},
        )
    ]


def _rising_steps(steps: load.Floats) -> int:
    """How many steps in a row rose, up to the last rise (a flat top at the end is allowed)."""
    count = 0
    for step in np.trim_zeros(np.asarray(steps), "b")[::-1]:
        if step <= 0:
            break
        count += 1
    return count


def post_mortem(
    activities: Sequence[Activity],
    shoes: Mapping[str, sh.ShoeSpec],
    onset: dt.date,
    *,
    site: str | None = None,
    settings: InsightSettings | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> PostMortem:
    """What stands out in the `weeks_before` weeks up to `onset`, best first."""
    s = settings or InsightSettings()
    a = Window(activities, shoes, onset, s, zone, site)
    findings = [
        *spike_findings(a),
        *ramp_findings(a),
        *sh.shoe_findings(a),
        *monotony_findings(a),
        *asymmetry_findings(a),
    ]
    findings.sort(key=lambda f: (-f.score, f.kind))
    first = a.start + dt.timedelta(days=1)
    totals = load.daily_totals(a.cols.activities, first - dt.timedelta(days=28), onset, zone)
    running = totals.running()
    rolling, ewma = load.rolling_acwr(running)[-1], load.ewma_acwr(running)[-1]
    in_window = sum(1 for d in a.cols.day if first.toordinal() <= d <= onset.toordinal())
    return PostMortem(
        onset,
        first,
        tuple(findings),
        tuple(week_rows(a, first, onset)),
        None if np.isnan(rolling) else float(rolling),
        None if np.isnan(ewma) else float(ewma),
        in_window,
    )


def week_rows(a: Window, first: dt.date, last: dt.date) -> list[WeekRow]:
    monday = load.monday_of(first)
    weeks = (last.toordinal() - monday.toordinal()) // 7 + 1
    index = (a.cols.day - monday.toordinal()) // 7
    inside = (a.cols.day >= first.toordinal()) & (a.cols.day <= last.toordinal())
    runs = inside & a.cols.is_run
    other = inside & ~a.cols.is_run
    count = np.bincount(index[runs], minlength=weeks)
    minutes = np.bincount(index[runs], weights=a.cols.minutes[runs], minlength=weeks)
    km = np.bincount(index[runs], weights=a.cols.km[runs], minlength=weeks)
    longest = np.zeros(weeks)
    np.maximum.at(longest, index[runs], a.cols.minutes[runs])
    rest = np.bincount(index[other], weights=a.cols.minutes[other], minlength=weeks)
    run_list = [r for r in a.runs if first <= load.local_day(r.start, a.zone) <= last]
    share = sh.minimalist_share(run_list, a.shoes, monday, weeks, a.zone).share
    return [
        WeekRow(
            monday + dt.timedelta(weeks=i),
            int(count[i]),
            float(minutes[i]),
            float(km[i]),
            float(longest[i]),
            float(rest[i]),
            None if np.isnan(share[i]) else float(share[i]),
        )
        for i in range(weeks)
    ]


def check_new(
    activities: Sequence[Activity],
    shoes: Mapping[str, sh.ShoeSpec],
    new: Sequence[Activity],
    *,
    settings: InsightSettings | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> list[Finding]:
    """The post-mortem's checks on just-imported runs (`new`, also in `activities`): warnings
    for the maintain phase, about what the new runs add and nothing older."""
    fresh = {r for r in new if r.is_run}
    if not fresh:
        return []
    days = [load.local_day(r.start, zone) for r in fresh]
    s = settings or InsightSettings()
    a = Window(activities, shoes, max(days), s, zone, None, min(days) - dt.timedelta(days=1))
    by_km = {id(c.activity): c for c in a.compare(a.runs, "km")}
    spikes = [
        spike_finding(a, c, by_km.get(id(c.activity)))
        for c in load.spikes_of(a.compare(a.runs, "minutes"))
        if c.activity in fresh
    ]
    minimal = [
        r for r, t in zip(a.runs, sh.run_types(a.runs, shoes), strict=True) if t == "minimalist"
    ]
    for c in load.spikes_of(a.compare(minimal, "minutes")):
        if c.activity in fresh:
            spikes.append(
                Finding(
                    "minimalist_spike",
                    f"A minimalist run {pct(c.rise)} on the longest minimalist run",
                    f"{num(c.value)} min in minimalist shoes on {c.day} against "
                    f"{num(c.previous_longest)} min, the longest minimalist run of the previous "
                    f"{s.lookback_days} days ({c.band} band).",
                    ("MIN-5", "LOAD-1"),
                    sh.MIN_CAVEAT + " Applying LOAD-1 to minimalist running alone is [I].",
                    HAZARD[c.band],
                    c.day,
                    {"minutes": c.value, "rise": c.rise},
                )
            )
    return sorted([*spikes, *ramp_findings(a), *asymmetry_findings(a)], key=lambda f: -f.score)
