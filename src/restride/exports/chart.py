"""The report's pain chart as plain geometry: each pain kind over the days of the program, on
bands that show the phases. The template draws it as an inline SVG.

A day without a check-in, or a pain not asked, breaks the line: the chart never joins two
answers across a gap it knows nothing about.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.case import PAIN_FIELDS

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.domain.decision import PhaseSpan

WIDTH = 680
HEIGHT = 250
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 22, 34
MAX_PAIN = 10
MAX_X_TICKS = 8
# Okabe-Ito colours, told apart with colour blindness; dashes tell them apart in grey print.
SERIES = {
    "pain_rest": ("at rest", "#0072B2", ""),
    "pain_walking": ("walking", "#E69F00", "6 3"),
    "pain_activity": ("during exercise", "#009E73", "2 2"),
    "pain_after": ("after exercise", "#CC79A7", "8 3 2 3"),
    "pain_next_morning": ("next morning", "#D55E00", "1 3"),
}
BAND_FILLS = ("#eef2f7", "#f7f3e8", "#edf5ee", "#f5edf3", "#eef5f5", "#f3f3f3")


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    fill: str
    label: str
    show_label: bool


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    dash: str
    lines: list[str]  # SVG polyline points, one per unbroken run of answers
    dots: list[tuple[float, float]]


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class PainChart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    bands: list[Band]
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    checkins: int


def pain_chart(case: Case, phases: list[PhaseSpan], titles: dict[str, str]) -> PainChart:
    """Pain 0-10 of each kind, a point a check-in, from the program start to `case.today`."""
    first, last = case.program_start, case.today
    days = (last - first).days + 1
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    day_width = (plot_right - plot_left) / days

    def x_of(day: dt.date) -> float:
        return round(plot_left + ((day - first).days + 0.5) * day_width, 1)

    def y_of(pain: int) -> float:
        return round(plot_bottom - pain / MAX_PAIN * (plot_bottom - plot_top), 1)

    bands = []
    for index, span in enumerate(phases):
        start = max(span.start, first)
        end = min(span.end or last, last)
        if end < start:
            continue
        x = plot_left + (start - first).days * day_width
        width = ((end - start).days + 1) * day_width
        label = titles.get(span.phase, span.phase)
        bands.append(
            Band(
                x=round(x, 1),
                width=round(width, 1),
                fill=BAND_FILLS[index % len(BAND_FILLS)],
                label=label,
                # About 6 px a character at the label's size: a narrow band goes unlabelled.
                show_label=width >= 6 * len(label) + 6,
            )
        )

    by_day = {c.date: c for c in case.checkins if first <= c.date <= last}
    series = []
    for field_name in PAIN_FIELDS:
        label, colour, dash = SERIES[field_name]
        lines: list[str] = []
        dots: list[tuple[float, float]] = []
        run: list[str] = []
        day = first
        while day <= last:
            checkin = by_day.get(day)
            pain = getattr(checkin, field_name) if checkin is not None else None
            if pain is None:
                if len(run) > 1:
                    lines.append(" ".join(run))
                run = []
            else:
                point = (x_of(day), y_of(pain))
                dots.append(point)
                run.append(f"{point[0]},{point[1]}")
            day += dt.timedelta(days=1)
        if len(run) > 1:
            lines.append(" ".join(run))
        series.append(Series(label, colour, dash, lines, dots))

    step = 7 * max(1, math.ceil(days / 7 / MAX_X_TICKS))
    x_ticks = [
        Tick(x_of(first + dt.timedelta(days=offset)), _day_label(first + dt.timedelta(days=offset)))
        for offset in range(0, days, step)
    ]
    # Today too, unless it would crowd the last tick.
    if (days - 1) - (days - 1) // step * step >= step / 2:
        x_ticks.append(Tick(x_of(last), _day_label(last)))
    y_ticks = [Tick(y_of(pain), str(pain)) for pain in range(0, MAX_PAIN + 1, 2)]
    return PainChart(
        width=WIDTH,
        height=HEIGHT,
        left=plot_left,
        top=plot_top,
        right=plot_right,
        bottom=plot_bottom,
        bands=bands,
        series=series,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        checkins=len(by_day),
    )


def _day_label(day: dt.date) -> str:
    return day.strftime("%d %b")
