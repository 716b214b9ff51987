"""`restride import`, `restride insights` and `restride shoes` at the terminal, on a real SQLite
file: the report, the exit codes, and the demo runner's post-mortem."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.cli.test_daily import init, ok, refused, restride, sqlite_url, words
from tests.importers import fitbuild as fb
from tests.importers.conftest import corpus  # noqa: F401 - the corpus fixture
from tests.importers.test_gpx_tcx import START

if TYPE_CHECKING:
    from pathlib import Path


def test_import_reports_imported_skipped_and_failed_files_and_exits_0(
    tmp_path: Path,
    corpus: Path,  # noqa: F811
) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    files = [
        corpus / "fit/runalyze__garmin-runPower-2.fit",
        corpus / "fit/derived__truncated50__with-new-dynamics.fit",
        corpus / "fit/fitparse__Settings.fit",
        corpus / "fit/derived__header-only__Standard.fit",
    ]

    text = ok(restride(url, "import", *map(str, files)))

    assert "Imported 2 files: 2 activities" in text
    assert "1 were cut short: kept what was read before the break, marked partial:" in text
    assert "Skipped (not activities): 1: " in text and "FIT file holds device settings" in text
    assert "Failed: 1: " in text and "derived__header-only__Standard.fit: FIT file with no" in text
    assert "1 files could not be imported (above); the others were." in text

    again = ok(restride(url, "import", "-v", *map(str, files)))

    assert "Imported 0 files" in again and "Duplicates: 2" in again
    assert "runPower-2.fit: already imported from " in again


def test_import_exits_2_when_nothing_could_be_read(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    (tmp_path / "broken.gpx").write_bytes(b"<gpx><trk><trkseg><trkpt")

    result = restride(url, "import", str(tmp_path / "broken.gpx"), str(tmp_path / "gone.fit"))

    refused(result, "nothing could be read as an activity")
    text = words(result.stdout)
    assert "gone.fit: no such file or folder" in text
    assert "broken.gpx: " in text


def test_import_names_shoes_from_the_option_and_lists_them(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    fit = tmp_path / "run.fit"
    fit.write_bytes(fb.activity(start=START, seconds=600).to_bytes())

    text = ok(restride(url, "import", str(fit), "--shoe", "Vibram FiveFingers"))
    assert "New shoes from the files' gear: Vibram FiveFingers." in text

    described = ok(
        restride(
            url,
            "shoes",
            "add",
            "Vibram FiveFingers",
            "--weight-g",
            "140",
            "--stack-mm",
            "6",
            "--drop-mm",
            "0",
            "--flexibility",
            "5",
            "--motion-control",
            "5",
        )
    )
    assert "Updated Vibram FiveFingers: Minimalist Index 98% (minimalist) (MIN-6)." in described
    listed = ok(restride(url, "shoes"))
    assert "Vibram FiveFingers" in listed and "minimalist" in listed and "98%" in listed
    refused(
        restride(url, "shoes", "add", "Trail", "--flexibility", "7"),
        "flexibility: must be a whole number 0-5 (got 7)",
    )


def test_insights_on_the_demo_runner_names_the_progression_and_the_shoes(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo"))

    text = ok(restride(url, "insights"))

    assert "The 8 weeks before 2026-02-09 (onset from the active episode" in text
    assert (
        "1. A steady build-up: runs growing by 5 min a week up to the onset (LOAD-1, LOAD-5)"
        in text
    )
    assert "The last step, 40 to 45 min on 2026-02-05, was +12.5%" in text
    assert "2. Alternating minimalist and cushioned shoes (MIN-1, MIN-3, MIN-5, MIN-6)" in text
    assert "Vibram FiveFingers: minimalist, MI 98%" in text
    assert "LOAD-3: Shown only, never used to decide" in text
    assert "not causes" in text
    assert "demo data restride generated" in text


def test_insights_takes_an_onset_and_refuses_a_future_one(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))

    text = ok(restride(url, "insights", "--episode-onset", "2026-02-01"))
    assert "onset from --episode-onset" in text and "import your watch history" in text

    refused(restride(url, "insights", "--episode-onset", "2026-04-01"), "--episode-onset")


def test_files_that_once_broke_the_importer_never_stop_the_batch(
    tmp_path: Path,
    corpus: Path,  # noqa: F811
) -> None:
    from tests.importers.conftest import fuzz_found_files

    broken = fuzz_found_files()
    good = corpus / "fit/runalyze__garmin-runPower-2.fit"
    url = sqlite_url(tmp_path)
    ok(init(url))

    text = ok(restride(url, "import", *map(str, broken), str(good)))

    def count(label: str) -> int:
        found = re.search(label + r"[^:]*: (\d+)", text)
        return int(found.group(1)) if found else 0

    imported = int(text.split("Imported ", 1)[1].split(" files", 1)[0])
    accounted = imported + count("Duplicates") + count("Skipped") + count("Failed")
    assert accounted == len(broken) + 1  # every file imported or reported, none lost
    assert "could not be read (" not in text  # each reason is a parser's own, with its place
    assert good.name not in text.split("Failed:", 1)[-1]  # the last file was imported
