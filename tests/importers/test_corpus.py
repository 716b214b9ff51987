"""Every real file in the corpus: it imports, or fails with a clear and specific reason.

The files are parsed in a worker process (corpus_worker.py) with a time limit per file, so a
hang fails the test instead of blocking it and a crash cannot take pytest down. The worker
goes over the corpus three times; its peak memory must not keep growing after the first.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.importers.conftest import corpus_files, manifest

WORKER = Path(__file__).with_name("corpus_worker.py")
PER_FILE_TIMEOUT_S = 30.0
PASSES = 3
# Peak memory may rise a little after the first pass (allocator, caches); keeping the samples
# of every file (27 MB a pass) or any leak of that order would add far more than this.
MAX_RSS_GROWTH_KB = 24 * 1024

# Files whose outcome is not simply "imports": what happens, and a phrase the message must
# hold. "partial" means imported, marked partial, with the phrase among the warnings.
KNOWN_OUTCOMES: dict[str, tuple[str, str]] = {
    # damaged copies made for this corpus
    "fit/derived__truncated50__with-new-dynamics.fit": ("partial", "cut short"),
    "fit/derived__byteflip40pct__Standard.fit": ("ok", "CRC) does not match"),
    "fit/derived__header-only__Standard.fit": ("ImportFileError", "no activity data"),
    "fit/derived__gpx-renamed-to.fit": ("ok", "named like a FIT file but holds GPX"),
    "gpx/derived__truncated60__hr-not-always-there.gpx": ("partial", "cut short"),
    "gpx/derived__utf8-bom__strava-export.gpx": ("ok", ""),
    "tcx/derived__leading-whitespace__Standard.tcx": ("ok", ""),
    "tcx/derived__truncated60__Standard.tcx": ("partial", "cut short"),
    # damaged in the wild
    "fit/sportslib__others__empty-sessions.fit": ("ImportFileError", "empty file (0 bytes)"),
    # its header says 0 data bytes; 2,319 records follow and are read
    "fit/sportslib__others__empty-activities.fit": ("partial", "never finalised"),
    # Strava for Android wrote one field a byte short at 7,471: nothing after is readable
    "fit/fitparse__strava-android-app-201.10-b1218918.fit": ("partial", "undefined local type"),
    "fit/fitparse__activity-unexpected-eof.fit": ("partial", "cut short"),
    "fit/fitparse__nick.fit": ("partial", "message cut off"),
    "fit/fitparse__activity-settings-nodata.fit": ("partial", "definition cut off"),
    "fit/fitparse__activity-settings-corruptheader.fit": ("ok", "after the FIT data"),
    "fit/fitparse__activity-filecrc.fit": ("ok", "CRC) does not match"),
    "fit/fitparse__activity-activity-filecrc.fit": ("ok", "CRC) does not match"),
    "fit/muktihari__from_official_sdk__activity_truncated.fit": ("ok", "no session summary"),
    # Forerunner 70 runs whose clock was never set: times count from power-on
    "fit/fitparse__antfs-dump.63.fit": ("ImportFileError", "clock was never set"),
    "fit/fitparse__compressed-speed-distance.fit": ("ImportFileError", "clock was never set"),
    # an SDK sample: three records with heart rate and no time at all
    "fit/fitparse__DeveloperData.fit": ("ImportFileError", "no usable time"),
    "gpx/gpxpy__Mojstrovka.gpx": ("ImportFileError", "before 1985"),
    # not activities
    "fit/fittrackee__example.fit": ("NotAnActivity", "a course"),
    "gpx/gpxpy__route.gpx": ("NotAnActivity", "planned route"),
    "gpx/gc__A_ride_mapped_on_11_22_2011.gpx": ("NotAnActivity", "no times"),
    "tcx/runalyze__Route-only.tcx": ("NotAnActivity", "course"),
    "strava/joboso__export_08_25_2025__activities.csv": ("NotAnActivity", "whole export"),
    "strava/stravadata__activities.csv": ("NotAnActivity", "whole export"),
}
# FIT file types that are no activity, as MANIFEST.tsv tags the device ("garmin/edge510 [settings]")
NOT_ACTIVITY_TAGS = {"[settings]": "settings", "[monitoring_b]": "monitoring", "[weight]": "weight"}
NOT_ACTIVITY_TAGS |= {"[workout]": "workout", "[course]": "course"}


@dataclass
class CorpusRun:
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    hangs: list[str] = field(default_factory=list)
    peak_rss_kb: list[int] = field(default_factory=list)


class Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line: str, timeout: float) -> dict[str, Any] | None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.process.kill()
            self.process.wait()
            return None
        answer = self.process.stdout.readline()
        if not answer:  # the worker died
            return {"crash": f"worker exited with {self.process.wait()}"}
        result: dict[str, Any] = json.loads(answer)
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def corpus_run(corpus: Path) -> CorpusRun:
    run = CorpusRun()
    files = corpus_files(corpus)
    worker = Worker()
    try:
        for n in range(PASSES):
            for path in files:
                key = path.relative_to(corpus).as_posix()
                answer = worker.ask(str(path), PER_FILE_TIMEOUT_S)
                if answer is None:
                    run.hangs.append(key)
                    worker = Worker()
                    continue
                if n == 0:
                    run.outcomes[key] = answer
                elif "crash" in answer:
                    run.outcomes[key] = answer
            mark = worker.ask("pass", PER_FILE_TIMEOUT_S)
            assert mark is not None
            run.peak_rss_kb.append(int(mark["max_rss_kb"]))
    finally:
        worker.close()
    return run


def summary_of(outcome: dict[str, Any]) -> tuple[str, str]:
    """("ok" | "partial" | problem class, the text to search) for a plain file."""
    (result,) = outcome["results"]
    if result["problem"]:
        return result["problem"], result["reason"]
    warnings = " | ".join(w for a in result["activities"] for w in a["warnings"])
    partial = any(a["partial"] for a in result["activities"])
    return ("partial" if partial else "ok"), warnings


def test_no_file_crashes_or_hangs(corpus_run: CorpusRun) -> None:
    crashes = {k: v["crash"] for k, v in corpus_run.outcomes.items() if "crash" in v}

    assert corpus_run.hangs == []
    assert crashes == {}
    assert len(corpus_run.outcomes) >= 280  # the corpus holds about 290 files


def test_every_problem_names_the_file_and_says_what_is_wrong(corpus_run: CorpusRun) -> None:
    for key, outcome in corpus_run.outcomes.items():
        for result in outcome.get("results", []):
            reason = result["reason"]
            if reason is None:
                continue
            assert reason.startswith(result["source"] + ": "), (key, reason)
            what = reason.removeprefix(result["source"] + ": ")
            assert len(what) > 15 and "Traceback" not in what, (key, reason)


def test_damaged_and_odd_files_give_the_expected_outcome(corpus_run: CorpusRun) -> None:
    for key, (expected, phrase) in KNOWN_OUTCOMES.items():
        outcome, text = summary_of(corpus_run.outcomes[key])
        assert outcome == expected, (key, text)
        assert phrase in text, (key, text)


def test_every_activity_in_the_manifest_imports(corpus: Path, corpus_run: CorpusRun) -> None:
    rows = manifest(corpus)
    for key, outcome in corpus_run.outcomes.items():
        if key in KNOWN_OUTCOMES:
            continue
        row = rows[key]
        result, text = summary_of(outcome)
        device = row.get("device", "")
        tags = [tag for tag in NOT_ACTIVITY_TAGS if device.endswith(tag)]
        if row["format"] == "fit" and tags and ";" not in device:
            assert result == "NotAnActivity" and NOT_ACTIVITY_TAGS[tags[0]] in text, key
        elif row["format"] == "fit" and int(row["records"] or 0) > 0:
            assert result == "ok", (key, text)
        elif row["format"] in ("gpx", "tcx") and int(row.get("trackpoints") or 0) > 0:
            # a track point count without times is a drawn route: see KNOWN_OUTCOMES
            assert result in ("ok", "NotAnActivity"), (key, text)
            if result == "NotAnActivity":
                assert "no times" in text, (key, text)
        else:
            assert result in ("ok", "NotAnActivity"), (key, text)


def test_each_import_gives_activities_with_samples_where_the_file_has_records(
    corpus: Path, corpus_run: CorpusRun
) -> None:
    rows = manifest(corpus)
    for key, outcome in corpus_run.outcomes.items():
        row = rows[key]
        for result in outcome["results"]:
            if row["format"] == "fit" and result["activities"] and int(row["records"] or 0) > 50:
                recorded = sum(a["records"] for a in result["activities"])
                if "without a usable time" not in summary_of(outcome)[1]:
                    assert recorded > 0, key


def test_parsing_the_corpus_again_does_not_grow_memory(corpus_run: CorpusRun) -> None:
    first, *later = corpus_run.peak_rss_kb
    assert len(later) == PASSES - 1
    assert max(later) - first < MAX_RSS_GROWTH_KB, corpus_run.peak_rss_kb
