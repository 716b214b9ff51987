"""The exercise library gives a runner everything needed to do each item alone, safely.

Seed steps 4, 7 and 9 are made of exercises: self-massage with four tools, corrective work for
the feet, hips, shoulders and core, and functional movement in all planes. These tests hold the
built-in library to that, and check that a library file with a bad link or invented evidence
fails to load with the place of the mistake.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from restride.domain import protocol as protocol_model
from restride.domain.anatomy import REGIONS
from restride.domain.library import KIND_FAMILY, LIBRARY_VERSION, Exercise, Library
from restride.loading import DATA, ProtocolError, builtin_library, library_from_data
from tests.domain.test_ten_steps_protocol import all_items, phase

if TYPE_CHECKING:
    from pathlib import Path

    from restride.domain.protocol import Protocol

SVG = "{http://www.w3.org/2000/svg}"
STEP_4_TOOLS = ("foam_roller", "soft_ball", "lacrosse_ball", "golf_ball")
FEET = {"foot_forefoot", "foot_midfoot", "foot_heel", "foot_sole"}
TOOL_WORDS = {
    "foam_roller": "foam roller",
    "soft_ball": "soft ball",
    "lacrosse_ball": "lacrosse ball",
    "golf_ball": "golf ball",
    "band": "band",
    "towel": "towel",
    "strap": "strap",
    "step": "step",
    "cushion": "cushion",
    "medicine_ball": "medicine ball",
    "ladder": "ladder",
}


@pytest.fixture(scope="module")
def library() -> Library:
    return builtin_library()


def prescribed_ids(protocol: Protocol) -> set[str]:
    """Every library ID the protocol names: daily and weekly items, and the tests it asks for."""
    ids: set[str] = set()
    for p in protocol.phases:
        for item in all_items(p):
            ids |= {dose.id for dose in item.exercises}
            if item.test is not None:
                ids.add(item.test)
        ids |= {c.test for c in p.exit if isinstance(c, protocol_model.TestPassed)}
    return ids


def massage(library: Library) -> list[Exercise]:
    return library.of_kind("self_massage")


# --- The built-in library ------------------------------------------------------------------------


def test_the_library_file_is_version_3_with_the_full_entries_of_version_2(
    library: Library,
) -> None:
    assert library.version == 3 and LIBRARY_VERSION == 2


def test_every_exercise_the_protocol_prescribes_is_in_the_library_with_complete_fields(
    protocol: Protocol, library: Library
) -> None:
    ids = prescribed_ids(protocol)
    assert {"test-calf-raise-20", "test-brisk-walk-30", "test-hop-10"} <= ids
    assert "smr-golf-ball-sole" in ids and "fn-squat-jump" in ids
    for exercise_id in sorted(ids):
        assert exercise_id in library.exercises, exercise_id
        e = library.exercises[exercise_id]
        assert e.name and len(e.summary) > 30, exercise_id
        assert e.works and e.equipment and e.dose.strip(), exercise_id
        assert len(e.steps) >= 2 and e.cues and e.avoid and e.contraindications, exercise_id
        for text in [*e.steps, *e.cues, *e.avoid, *e.contraindications, *e.equipment]:
            assert text.strip() == text and text, (exercise_id, text)


def test_the_protocol_uses_the_very_library_the_file_holds(
    protocol: Protocol, library: Library
) -> None:
    assert protocol.library == library


def test_steps_read_as_sentences_a_runner_follows_in_order(library: Library) -> None:
    for e in library.exercises.values():
        for text in [*e.steps, *e.cues, *e.avoid, *e.contraindications]:
            assert text[0].isupper() or text[0].isdigit(), (e.id, text)
            assert text.endswith((".", ")", "?")), (e.id, text)
        for step in e.steps:
            # The app numbers the steps; the text must not number them a second time.
            assert not re.match(r"\d+[.)] ", step), (e.id, step)


def test_every_tool_of_seed_step_4_has_self_massage_entries(library: Library) -> None:
    for tool in STEP_4_TOOLS:
        assert len([e for e in massage(library) if e.tool == tool]) >= 2, tool


def test_every_body_region_has_a_self_massage_option(library: Library) -> None:
    for region in REGIONS:
        if region != "other":
            assert any(region in e.works for e in massage(library)), region


def test_feet_glutes_and_upper_back_have_a_soft_ball_and_a_lacrosse_ball_option(
    library: Library,
) -> None:
    for region in ("foot_sole", "hip", "upper_back"):
        tools = {e.tool for e in massage(library) if region in e.works}
        assert {"soft_ball", "lacrosse_ball"} <= tools, region
    assert "golf_ball" in {e.tool for e in massage(library) if "foot_sole" in e.works}


def test_self_massage_is_never_done_over_a_stress_fracture(library: Library) -> None:
    for e in massage(library):
        said = " ".join(e.contraindications).lower()
        assert "stress fracture" in said and "never" in said, e.id
        assert "EX-5" in e.evidence, e.id


def test_foot_massage_says_so_for_the_foot(library: Library) -> None:
    foot = [e for e in massage(library) if FEET & set(e.works)]
    assert len(foot) >= 4
    for e in foot:
        assert any("stress fracture" in c for c in e.contraindications), e.id


def test_loading_exercises_warn_that_a_bone_injury_allows_no_pain(library: Library) -> None:
    # PAIN-4: at the bone the ceiling is 0/10. Anything that puts weight through a foot says so.
    for e in library.exercises.values():
        if e.kind in ("corrective", "functional", "test") and FEET & set(e.loads):
            said = " ".join(e.contraindications)
            assert "stress fracture" in said or "bone" in said, e.id


def test_corrective_work_covers_feet_hips_shoulders_thoracic_posture_and_core(
    library: Library,
) -> None:
    areas = {
        "feet": FEET,
        "hips": {"hip"},
        "shoulders": {"shoulder"},
        "thoracic posture": {"upper_back"},
        "core": {"low_back"},
    }
    corrective = library.of_kind("corrective")
    for area, regions in areas.items():
        entries = [e for e in corrective if regions & set(e.works)]
        assert len(entries) >= 2, area
        assert len({e.level for e in entries}) >= 2, area
    short_foot = [e for e in corrective if e.id.startswith("cx-short-foot")]
    assert len(short_foot) == 3 and all("EX-3" in e.evidence for e in short_foot)


def test_functional_work_moves_in_all_three_planes_at_three_levels_or_more(
    library: Library,
) -> None:
    functional = library.of_kind("functional")
    for plane in ("sagittal", "frontal", "transverse"):
        levels = {e.level for e in functional if plane in e.planes}
        assert len(levels) >= 3, (plane, levels)
    lunges = {e.id: e.planes for e in functional if e.id.startswith("fn-lunge-")}
    assert "sagittal" in lunges["fn-lunge-forward"]
    assert "frontal" in lunges["fn-lunge-lateral"]
    assert "transverse" in lunges["fn-lunge-rotational"]
    assert {1, 2, 3, 4} == {e.level for e in functional}


def test_corrective_levels_fit_the_weeks_that_first_prescribe_them(
    protocol: Protocol, library: Library
) -> None:
    for week in phase(protocol, "corrective").weeks:
        assert week.level is not None
        for item in week.items:
            for dose in item.exercises:
                e = library.exercises[dose.id]
                if e.kind == "corrective":
                    assert e.level is not None and e.level <= week.level, (week.week, e.id)


def test_the_named_progressions_lead_from_easy_to_hard(library: Library) -> None:
    chains = [
        ["cx-short-foot-seated", "cx-short-foot-standing", "cx-short-foot-single-leg"],
        ["cx-calf-raise-double", "cx-calf-raise-single", "cx-calf-lower-eccentric"],
        ["cx-plank-knees", "cx-plank"],
        ["cx-side-plank-knees", "cx-side-plank"],
        ["cx-glute-bridge", "cx-single-leg-bridge"],
        ["fn-lunge-lateral", "fn-skater-hop", "fn-lateral-hop-line"],
        ["smr-soft-ball-sole", "smr-lacrosse-sole", "smr-golf-ball-sole"],
    ]
    for chain in chains:
        got = [e.id for e in library.progressions(chain[0])]
        assert got[: len(chain)] == chain
        for easier, harder in itertools.pairwise(chain):
            assert library.exercises[harder].regression == easier


def test_links_resolve_within_their_family_and_never_step_down_a_level(library: Library) -> None:
    exercises = library.exercises
    targets: set[str] = set()
    for e in exercises.values():
        for field, target in (("progression", e.progression), ("regression", e.regression)):
            if target is None:
                continue
            other = exercises[target]
            assert target != e.id
            assert KIND_FAMILY[other.kind] == KIND_FAMILY[e.kind], (e.id, field)
            if other.kind == e.kind and e.level is not None and other.level is not None:
                if field == "progression":
                    assert other.level >= e.level, (e.id, target)
                else:
                    assert other.level <= e.level, (e.id, target)
        if e.progression:
            targets.add(e.progression)
    for target in targets:
        # Whoever can move up to an entry can also step back from it.
        assert exercises[target].regression is not None, target


def test_progression_chains_end(library: Library) -> None:
    for exercise_id in library.exercises:
        chain = library.progressions(exercise_id)
        assert chain[-1].progression is None, exercise_id
        assert len({e.id for e in chain}) == len(chain)


def test_tools_and_equipment_agree(library: Library) -> None:
    for e in library.exercises.values():
        if e.tool != "none":
            assert TOOL_WORDS[e.tool] in " ".join(e.equipment).lower(), e.id


def test_corrective_and_functional_entries_have_levels_and_planes(library: Library) -> None:
    for e in library.exercises.values():
        if e.kind in ("corrective", "functional"):
            assert e.level in (1, 2, 3, 4) and e.planes, e.id
        else:
            assert e.level is None, e.id


def test_the_library_is_written_in_our_own_words() -> None:
    # A cheap guard against pasted material: no links, no copyright lines, no brand names.
    text = (DATA / "exercises.yaml").read_text(encoding="utf-8").lower()
    for marker in ("http", "www.", "©", "copyright", "all rights reserved", "trigger point"):
        assert marker not in text, marker


def test_every_drawing_exists_is_valid_svg_and_holds_no_text_or_pictures(
    library: Library,
) -> None:
    folder = DATA / "drawings"
    referenced = {e.drawing for e in library.exercises.values() if e.drawing}
    assert referenced
    on_disk = {p.name for p in folder.iterdir() if p.name.endswith(".svg")}
    assert referenced == on_disk, "every drawing is used, and every one used exists"
    for name in sorted(referenced):
        # Our own files, shipped in the package: no untrusted XML here.
        root = ET.fromstring((folder / name).read_text(encoding="utf-8"))  # noqa: S314
        assert root.tag == f"{SVG}svg", name
        assert root.get("viewBox"), name
        title = root.find(f"{SVG}title")
        assert title is not None and title.text, name
        tags = {el.tag.removeprefix(SVG) for el in root.iter()}
        assert not tags & {"text", "image", "foreignObject", "script"}, (name, tags)


# --- A library file with mistakes fails to load, and says where ----------------------------------


def make_entry(exercise_id: str, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": exercise_id,
        "kind": "corrective",
        "name": f"Exercise {exercise_id}",
        "summary": "A one-line description of the whole exercise.",
        "works": ["hip"],
        "equipment": ["a mat"],
        "dose": "3 sets of 10.",
        "steps": ["Lie down.", "Lift the leg."],
        "cues": ["Slowly."],
        "avoid": ["Rushing."],
        "contraindications": ["Sharp pain: stop."],
        "level": 1,
        "planes": ["frontal"],
    }
    return entry | overrides


def load_file(tmp_path: Path, entries: list[dict[str, Any]], version: int = 2) -> Library:
    path = tmp_path / "library.yaml"
    path.write_text(yaml.safe_dump({"version": version, "exercises": entries}), encoding="utf-8")
    return library_from_data(yaml.safe_load(path.read_text(encoding="utf-8")), "library.yaml")


def load_error(tmp_path: Path, entries: list[dict[str, Any]], version: int = 2) -> str:
    with pytest.raises(ProtocolError) as caught:
        load_file(tmp_path, entries, version)
    return caught.value.message


def test_a_small_complete_library_loads(tmp_path: Path) -> None:
    library = load_file(
        tmp_path,
        [
            make_entry("cx-easy", progression="cx-hard"),
            make_entry("cx-hard", level=2, regression="cx-easy"),
        ],
    )
    assert [e.id for e in library.progressions("cx-easy")] == ["cx-easy", "cx-hard"]


def test_a_dangling_progression_fails_loading_and_names_the_field(tmp_path: Path) -> None:
    message = load_error(tmp_path, [make_entry("cx-a"), make_entry("cx-b", progression="cx-nope")])
    assert message == (
        "library.yaml: exercises[1].progression: no exercise 'cx-nope' in the exercise library"
    )


@pytest.mark.parametrize(
    ("entries", "path", "words"),
    [
        ([make_entry("cx-a", regression="cx-a")], "exercises[0].regression", "itself"),
        (
            [
                make_entry("cx-a"),
                make_entry("smr-b", kind="self_massage", level=None, planes=[], progression="cx-a"),
            ],
            "exercises[1].progression",
            "links only to self-massage entries",
        ),
        (
            [make_entry("cx-a", progression="cx-b"), make_entry("cx-b", progression="cx-a")],
            "exercises[0].progression",
            "circle (cx-a → cx-b → cx-a)",
        ),
        (
            [
                make_entry("cx-a", progression="cx-b"),
                make_entry("cx-b", progression="cx-c"),
                make_entry("cx-c", regression="cx-b", progression="fn-d"),
                make_entry("fn-d", kind="functional", regression="cx-b", progression="cx-a"),
            ],
            "exercises[3].progression",
            "circle",
        ),
        (
            [make_entry("cx-a", progression="cx-b", regression="cx-b"), make_entry("cx-b")],
            "exercises[0].regression",
            "also its progression",
        ),
    ],
    ids=["self-link", "other-family", "two-step-loop", "long-loop", "both-ways"],
)
def test_a_bad_link_fails_loading_and_names_the_field(
    tmp_path: Path, entries: list[dict[str, Any]], path: str, words: str
) -> None:
    message = load_error(tmp_path, entries)
    assert f"library.yaml: {path}: " in message
    assert words in message


def test_an_unknown_clinical_id_fails_loading_and_names_the_field(tmp_path: Path) -> None:
    message = load_error(tmp_path, [make_entry("cx-a"), make_entry("cx-b", evidence=["EX-9"])])
    assert message == "library.yaml: exercises[1].evidence: unknown CLINICAL.md ID(s) EX-9"


def test_an_entry_without_steps_fails_loading_and_names_the_field(tmp_path: Path) -> None:
    message = load_error(tmp_path, [make_entry("cx-a", steps=["Only one step."])])
    assert "library.yaml: exercises[0].steps: List should have at least 2 items" in message


def test_corrective_work_without_a_level_fails_loading(tmp_path: Path) -> None:
    message = load_error(tmp_path, [make_entry("cx-a", level=None)])
    assert message == "library.yaml: exercises[0]: a corrective entry needs a level (1-4)"


def test_the_old_stub_library_is_refused_with_a_reason(tmp_path: Path) -> None:
    message = load_error(tmp_path, [make_entry("cx-a")], version=1)
    assert "library.yaml: version: version 1 is the old stub library" in message
