"""The clinician report's post-mortem names what led to the injury once history is imported."""

from __future__ import annotations

import datetime as dt

from restride.services import exports
from restride.services.demo import load_seed_runner
from restride.storage.database import Database

TODAY = dt.date(2026, 3, 2)


def test_the_report_ranks_the_demo_runners_progression_and_shoe_alternation(
    database: Database,
) -> None:
    loaded = load_seed_runner(database, today=TODAY)
    built = exports.clinician_report(database, loaded.athlete.id, today=TODAY)
    assert built.findings, "the demo history should give the post-mortem something to say"
    kinds = [f.kind for f in built.findings]
    assert kinds[0] == "progression"
    assert "shoes" in kinds or "shoe_switch" in kinds
    html = exports.report_html(database, loaded.athlete.id, today=TODAY)
    assert "Not available yet" not in html
    assert built.findings[0].title in html
    assert "LOAD-1" in html
