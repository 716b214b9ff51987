"""The clinician report: self-contained HTML with the phase history and a drawn pain chart, and
the same page as a PDF whose first page is not blank and names the athlete's phase."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pypdfium2
import pytest

from restride.domain.decide import decide
from restride.exports import report
from restride.services import athletes, decisions, exports
from restride.simulation import SEED_START, seed_injury, simulate
from tests.builders import make_injury
from tests.exports.records import NOTE, SKIPPED_DAYS, add_activity, store_runner

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.domain.decision import TodayItem
    from restride.domain.protocol import Protocol
    from restride.storage.database import Database
    from tests.exports.records import Stored


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def html(runner: Stored) -> str:
    return exports.report_html(runner.db, runner.athlete.id, today=runner.today)


def test_the_report_shows_todays_phase_and_the_whole_phase_history(
    runner: Stored, html: str
) -> None:
    decision = decisions.todays_decision(runner.db, runner.athlete.id, today=runner.today)
    page = words(html)
    assert f"Phase: {decision.phase_title}, week {decision.week}" in page
    history = page[page.index('id="phases"') : page.index('id="adherence"')]
    titles = ["Offload", "Rest", "Corrective exercise", "Walking program"]
    assert [p.phase for p in decision.phase_history] == ["offload", "rest", "corrective", "walk"]
    assert [t for t in re.findall(r"<tr><td>([^<]+)</td>", history)] == titles
    for span in decision.phase_history:
        assert span.start.isoformat() in history
    for reason in decision.reasons:
        assert reason.rule in page


def test_the_report_draws_its_pain_chart_as_inline_svg_and_needs_nothing_from_outside(
    html: str,
) -> None:
    assert html.count("<svg") >= 2  # the chart and the legend's swatches
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert "<polyline" in chart and "<rect" in chart
    assert "Walking program" in chart  # a phase band's label
    lowered = html.lower()
    for outside in ("<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"):
        assert outside not in lowered, outside
    assert set(re.findall(r"https?://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}


def test_the_report_lists_red_flags_clinician_events_and_a_labelled_post_mortem_placeholder(
    html: str,
) -> None:
    page = words(html)
    timeline = page[page.index('id="timeline"') : page.index('id="post-mortem"')]
    assert "Red flag, referral soon (TS-RF-BONE-TENDER)" in timeline
    assert "Seen by a clinician on 2026-03-07." in timeline
    assert NOTE in timeline and "Clinician note (Bob Therapist)" in timeline
    post_mortem = page[page.index('id="post-mortem"') :]
    assert "no training history is imported" in post_mortem
    assert "restride does not diagnose" in page


def test_adherence_counts_the_walks_the_runner_left_out(runner: Stored, html: str) -> None:
    page = words(html)
    adherence = page[page.index('id="adherence"') : page.index('id="timeline"')]
    total = re.search(
        r"All 28 days</td> <td class=\"num\">(\d+) of 28</td> "
        r"<td class=\"num\">(\d+) / (\d+)",
        adherence,
    )
    assert total is not None, adherence
    checkins, done, prescribed = (int(n) for n in total.groups())
    assert checkins == 28
    assert done == prescribed - len(SKIPPED_DAYS)


def test_adherence_matches_what_was_prescribed_each_day(protocol: Protocol) -> None:
    """Every other prescribed walk left out: half of the walks done, nothing else missing."""

    def every_other_walk(day: int, item: TodayItem) -> dict[str, Any] | None:
        return None if item.kind == "walk" and day % 2 else {}

    start = SEED_START
    case: Case = simulate(protocol, seed_injury(), start, 120, sessions=every_other_walk).case
    rows = report.adherence(protocol, case)
    total = rows[-1]
    assert (total.label, total.days, total.first) == ("all", 28, case.today - dt.timedelta(28))
    walks = prescribed_walks = 0
    for offset in range(1, 29):
        day = case.today - dt.timedelta(days=offset)
        past = case.model_copy(
            update={
                "today": day,
                "checkins": [c for c in case.checkins if c.date <= day],
                "sessions": [s for s in case.sessions if s.date <= day],
            }
        )
        prescribed_walks += sum(1 for i in decide(protocol, past).today if i.kind == "walk")
        walks += sum(1 for s in case.sessions if s.date == day and s.kind == "walk")
    assert prescribed_walks > walks > 0
    assert total.prescribed - total.done == prescribed_walks - walks
    assert sum(r.days for r in rows[:-1]) == 28


def test_the_pdf_renders_a_page_that_is_not_blank_and_names_the_phase(runner: Stored) -> None:
    pdf = exports.report_pdf(runner.db, runner.athlete.id, today=runner.today)
    assert pdf.startswith(b"%PDF-")
    decision = decisions.todays_decision(runner.db, runner.athlete.id, today=runner.today)
    document = pypdfium2.PdfDocument(pdf)
    try:
        pixels = np.asarray(document[0].render(scale=1).to_pil().convert("L"), dtype=float)
        assert pixels.std() > 10, "page 1 is blank"
        text = words(" ".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()
    assert f"Phase: {decision.phase_title}" in text
    assert "Pain over time" in text and "Phase history" in text
    assert "restride does not diagnose" in text


def test_names_and_notes_are_escaped_not_run_as_markup(
    database: Database, runner_case: Case
) -> None:
    name = 'Zoë <img src=x onerror="alert(1)"> & co'
    stored = store_runner(database, runner_case, name=name, email="zoe@example.org")
    assert athletes.find_account(database, "zoe@example.org").name == name
    page = exports.report_html(database, stored.athlete.id, today=stored.today)
    assert "<img" not in page
    assert "Zoë &lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; co" in page


def test_the_post_mortem_placeholder_counts_imported_activities(database: Database) -> None:
    account = athletes.create_account(database, email="cara@example.org", name="Cara")
    start = dt.date(2026, 6, 1)
    athletes.start_episode(database, account.id, make_injury(), program_start=start, today=start)
    add_activity(database, account.id)
    page = words(exports.report_html(database, account.id, today=start))
    post_mortem = page[page.index('id="post-mortem"') :]
    assert "Not available yet: 1 imported activity, not yet analysed." in post_mortem
    assert "No check-ins yet: nothing to chart." in page
    assert "No whole day of the program has passed yet." in page
