"""The program that fits the injury at the terminal: `restride init` proposes it and says why,
`--protocol` chooses another, and `restride event` records a clinician's tailoring (RTR-7),
refused below the protocol's floors with nothing written."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from restride.storage import tables as t
from tests.cli.test_daily import TODAY, ok, refused, restride, rows, sqlite_url

if TYPE_CHECKING:
    from pathlib import Path

INIT = ["init", "--name", "Ann", "--email", "ann@example.org", "--side", "left"]


def init(url: str, site: str, *extra: str) -> str:
    return ok(restride(url, *INIT, "--site", site, "--onset", "2026-02-20", *extra))


def today_json(url: str, today: str = TODAY) -> dict[str, object]:
    result = restride(url, "today", "--format", "json", today=today)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_an_achilles_runner_is_proposed_the_tendon_program_without_crutches(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    said = init(url, "achilles", "--kind", "tendon")

    assert "Started the achilles-tendinopathy program" in said
    assert "Why this program: For the Achilles tendon" in said
    decision = today_json(url)
    kinds = {item["kind"] for item in decision["today"]}  # type: ignore[attr-defined]
    assert decision["protocol"] == "achilles-tendinopathy"
    assert "offload" not in kinds and "rest" not in kinds


def test_a_bone_site_recorded_as_a_tendon_still_gets_a_bone_program(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    said = init(url, "metatarsal_4_shaft", "--kind", "tendon")

    assert "Started the ten-steps program" in said and "is a bone" in said


def test_protocol_chooses_another_program_and_says_what_was_proposed(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    said = init(url, "calf", "--kind", "muscle", "--protocol", "ten-steps")

    assert "Started the ten-steps program" in said
    assert "restride would have proposed muscle-strain" in said


def test_an_unknown_protocol_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    result = restride(url, *INIT, "--site", "calf", "--onset", "2026-02-20", "--protocol", "yoga")

    refused(result, "--protocol: no protocol 'yoga'", "muscle-strain")


def test_a_clinician_lengthening_the_rest_is_recorded_and_said_with_the_reason(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    init(url, "metatarsal_4_shaft", "--start", "2026-03-02")
    said = ok(
        restride(
            url,
            "event",
            "set-minimum",
            "--phase",
            "rest",
            "--days",
            "28",
            "--reason",
            "slow to settle on review",
            today="2026-03-03",
        )
    )
    after = today_json(url, "2026-03-03")

    assert "your clinician changed a phase's minimum: slow to settle on review" in said
    texts = " ".join(r["text"] for r in after["reasons"])  # type: ignore[attr-defined]
    assert "Rest lasts at least 28 days, because slow to settle on review" in texts
    assert after["action"] != "progress"


def test_a_minimum_below_the_floor_is_refused_with_the_floor_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    init(url, "metatarsal_4_shaft")
    events = rows(url, t.ClinicianEvent)

    result = restride(
        url, "event", "set-minimum", "--phase", "corrective", "--days", "14", "--reason", "rush"
    )

    refused(result, "days: 14 days is below Corrective exercise's floor of 28 days")
    assert rows(url, t.ClinicianEvent) == events


def test_a_tailoring_without_what_it_sets_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    init(url, "metatarsal_4_shaft")

    refused(restride(url, "event", "skip-week", "--reason", "fast"), "must say 'phase'")
    refused(
        restride(url, "event", "skip-week", "--phase", "walk", "--week", "9", "--reason", "x"),
        "week: Walking program has 6 weeks; there is no week 9",
    )


def test_a_clinician_can_change_the_program_but_not_a_bone_injury_to_a_tendon_one(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    init(url, "metatarsal_4_shaft")

    refused(
        restride(
            url,
            "event",
            "change-protocol",
            "--protocol",
            "achilles-tendinopathy",
            "--reason",
            "wrong tissue",
        ),
        "protocol: achilles-tendinopathy is written for tendon",
    )
    ok(
        restride(
            url,
            "event",
            "change-protocol",
            "--protocol",
            "bone-high-risk",
            "--reason",
            "MRI: the base of the 4th metatarsal, a high-risk site",
        )
    )
    decision = today_json(url)
    assert decision["protocol"] == "bone-high-risk"
    texts = " ".join(r["text"] for r in decision["reasons"])  # type: ignore[attr-defined]
    assert "the program is now bone-high-risk, because MRI" in texts


def test_protocol_list_names_every_program_with_its_return_to_run_range(tmp_path: Path) -> None:
    said = ok(restride(sqlite_url(tmp_path), "protocol", "list"))

    for name in (
        "ten-steps",
        "bone-high-risk",
        "achilles-tendinopathy",
        "patellar-tendinopathy",
        "plantar-fasciitis",
        "muscle-strain",
        "low-back-pain",
    ):
        assert name in said
    assert "ten-steps (bone; running again in weeks 6-27)" in said
