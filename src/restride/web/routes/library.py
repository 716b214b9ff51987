"""The exercise library: every entry grouped the way a runner looks for it, one page per entry
with its instructions and safety notes, and its drawing (seed steps 4, 7 and 9)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
from dataclasses import dataclass, field
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import Response

from restride.domain.anatomy import REGIONS
from restride.domain.library import Exercise, Library
from restride.loading import builtin_library
from restride.services.errors import NotFoundError
from restride.web.deps import SignedInUser
from restride.web.rendering import render, words

router = APIRouter(include_in_schema=False)

DRAWINGS = resources.files("restride") / "data" / "drawings"
# A drawing is shown through <img>, where an SVG runs no script; this header keeps it inert
# when opened on its own too.
DRAWING_CSP = "default-src 'none'; style-src 'unsafe-inline'"

KIND_TITLES = {
    "self_massage": "Self-massage",
    "mobility": "Mobility",
    "corrective": "Corrective exercise",
    "functional": "Functional movement",
    "test": "Tests",
}
KIND_HINTS = {
    "self_massage": "By tool, softest first. Never over the injured spot (seed step 4).",
    "mobility": "Stretches and joint mobility.",
    "corrective": "By body area, then level 1-4 (seed step 7).",
    "functional": "By plane of movement, then level 1-4 (seed step 9).",
    "test": "The tests a phase asks you to pass before moving on.",
}
# Softer tools spread the pressure; firmer, smaller ones focus it (exercises.yaml).
TOOL_ORDER = ("soft_ball", "foam_roller", "lacrosse_ball", "golf_ball")


@dataclass
class Group:
    title: str
    entries: list[Exercise] = field(default_factory=list)


@dataclass
class Section:
    kind: str
    title: str
    hint: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(g.entries) for g in self.groups)


def _grouped(entries: list[Exercise], key: str, order: tuple[str, ...] = ()) -> list[Group]:
    groups: dict[str, Group] = {}
    for entry in entries:
        name = {
            "tool": entry.tool,
            "area": entry.works[0],
            "plane": entry.planes[0] if entry.planes else "",
        }.get(key, "")
        groups.setdefault(name, Group(words(name) if name else ""))
        groups[name].entries.append(entry)
    ranked = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
    for group in groups.values():
        group.entries.sort(key=lambda e: (e.level or 0, e.name.lower()))
    return [groups[name] for name in ranked]


def library_sections(library: Library, region: str | None) -> list[Section]:
    """The library by kind, each kind grouped its own way; only entries that work `region`."""
    sections = []
    for kind, title in KIND_TITLES.items():
        entries = [
            e
            for e in library.of_kind(kind)  # type: ignore[arg-type]
            if region is None or region in e.works
        ]
        key = {"self_massage": "tool", "corrective": "area", "functional": "plane"}.get(kind)
        groups = _grouped(entries, key or "", TOOL_ORDER if key == "tool" else ())
        sections.append(Section(kind, title, KIND_HINTS[kind], groups))
    return [s for s in sections if s.count]


def exercise_or_404(exercise_id: str) -> Exercise:
    exercise = builtin_library().exercises.get(exercise_id)
    if exercise is None:
        raise NotFoundError("There is no exercise with that name in the library.")
    return exercise


@router.get("/library")
def library_page(request: Request, me: SignedInUser, region: str = "") -> Response:
    chosen = region if region in REGIONS else None
    context = {
        "sections": library_sections(builtin_library(), chosen),
        "regions": [(r, words(r)) for r in REGIONS],
        "region": chosen,
        "kind_titles": KIND_TITLES,
    }
    return render(request, "library.html", context)


@router.get("/library/{exercise_id}")
def exercise_page(request: Request, me: SignedInUser, exercise_id: str) -> Response:
    exercise = exercise_or_404(exercise_id)
    entries = builtin_library().exercises
    context = {
        "ex": exercise,
        "kind_title": KIND_TITLES[exercise.kind],
        "easier": entries.get(exercise.regression or ""),
        "harder": entries.get(exercise.progression or ""),
    }
    return render(request, "exercise.html", context)


@router.get("/library/{exercise_id}/drawing.svg")
def drawing(me: SignedInUser, exercise_id: str) -> Response:
    exercise = exercise_or_404(exercise_id)
    # The file name comes from the validated library (`^[a-z0-9][a-z0-9-]*\.svg$`), never
    # from the request, so it cannot leave the drawings folder.
    if exercise.drawing is None or not (DRAWINGS / exercise.drawing).is_file():
        raise NotFoundError("This exercise has no drawing.")
    svg = (DRAWINGS / exercise.drawing).read_bytes()
    headers = {"Content-Security-Policy": DRAWING_CSP, "Cache-Control": "private, max-age=3600"}
    return Response(svg, media_type="image/svg+xml", headers=headers)
