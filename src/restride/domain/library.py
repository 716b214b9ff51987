"""Exercise, self-massage and criterion-test entries the protocol refers to by stable ID.

Each entry carries what a runner needs to do it alone: equipment, a default dose, numbered
steps, cues, common mistakes, when not to do it, and links to an easier and a harder entry.
`works` and `loads` are what keep a plan safe: the prescription builder leaves out the injured
region through them (seed step 4; EX-5: never roll over a suspected bone stress injury).
`check_library` finds what a schema cannot: links that dangle, cross families or loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from restride.domain.anatomy import Region
from restride.domain.evidence import CLINICAL_IDS

if TYPE_CHECKING:
    from collections.abc import Mapping

ExerciseKind = Literal["self_massage", "mobility", "corrective", "functional", "test"]
Tool = Literal[
    "foam_roller",
    "soft_ball",
    "lacrosse_ball",
    "golf_ball",
    "band",
    "towel",
    "strap",
    "step",
    "cushion",
    "medicine_ball",
    "ladder",
    "none",
]
Plane = Literal["sagittal", "frontal", "transverse"]
Text = Annotated[str, Field(min_length=1)]

# The kinds a progression or regression may cross between: corrective work leads on to
# functional movement (a bird dog to a bear crawl), but a stretch never "progresses" to a jump.
KIND_FAMILY: dict[str, str] = {
    "self_massage": "self-massage",
    "mobility": "mobility",
    "corrective": "movement",
    "functional": "movement",
    "test": "test",
}
# Corrective and functional work comes in levels 1-4 (the protocol's weekly levels) and names
# the planes it moves in (seed step 9: running alone only moves forwards).
LEVELLED_KINDS: frozenset[str] = frozenset({"corrective", "functional"})
LIBRARY_VERSION = 2


class Exercise(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1, description="One line: the whole exercise in brief.")
    kind: ExerciseKind
    tool: Tool = "none"
    works: list[Region] = Field(
        min_length=1, description="Regions it massages, stretches or strengthens."
    )
    loads: list[Region] = Field(
        default_factory=list, description="Regions that carry body weight or impact during it."
    )
    per_side: bool = Field(
        default=True, description="Done once for the left and once for the right."
    )
    equipment: list[Text] = Field(
        min_length=1, description="What you need, in plain words (a mat, a wall, a golf ball)."
    )
    dose: str = Field(
        min_length=1, description="The default dose in words; a plan may set its own."
    )
    steps: list[Text] = Field(
        min_length=2, description="Instructions in order, to follow alone; shown numbered."
    )
    cues: list[Text] = Field(
        min_length=1, description="What to feel or think about while doing it."
    )
    avoid: list[Text] = Field(min_length=1, description="Common mistakes.")
    contraindications: list[Text] = Field(
        min_length=1, description="When not to do it (or to stop and ask a clinician)."
    )
    progression: str | None = Field(default=None, description="ID of the next harder entry.")
    regression: str | None = Field(default=None, description="ID of the next easier entry.")
    level: int | None = Field(
        default=None, ge=1, le=4, description="1-4, for corrective and functional work."
    )
    planes: list[Plane] = Field(
        default_factory=list, description="Planes of movement, for corrective and functional work."
    )
    evidence: list[str] = Field(default_factory=list, description="CLINICAL.md rule IDs.")
    drawing: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*\.svg$",
        description="An SVG file name under data/drawings.",
    )

    @field_validator("evidence")
    @classmethod
    def _known_evidence(cls, value: list[str]) -> list[str]:
        unknown = [e for e in value if e not in CLINICAL_IDS]
        if unknown:
            raise ValueError(f"unknown CLINICAL.md ID(s) {', '.join(unknown)}")
        return value

    @field_validator("planes")
    @classmethod
    def _distinct_planes(cls, value: list[Plane]) -> list[Plane]:
        if len(set(value)) != len(value):
            raise ValueError("a plane is listed twice")
        return value

    @model_validator(mode="after")
    def _levels_for_movement(self) -> Exercise:
        if self.kind in LEVELLED_KINDS:
            if self.level is None:
                raise ValueError(f"a {self.kind} entry needs a level (1-4)")
            if not self.planes:
                raise ValueError(f"a {self.kind} entry needs the planes it moves in")
        elif self.level is not None:
            raise ValueError(
                f"only corrective and functional entries have a level, not {self.kind}"
            )
        return self


class Library(BaseModel):
    """The exercise library file; `version` goes up whenever its entries are added or changed.

    Version 1 was the stub (name, one line, regions); version 2 adds the instructions, the
    safety notes and the links. An ID never changes meaning and is never reused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    exercises: dict[str, Exercise]

    @field_validator("version")
    @classmethod
    def _readable_version(cls, value: int) -> int:
        if value < LIBRARY_VERSION:
            raise ValueError(
                f"version {value} is the old stub library; this restride reads version "
                f"{LIBRARY_VERSION} or later, with steps, cues and contraindications"
            )
        return value

    def tests(self) -> set[str]:
        return {e.id for e in self.exercises.values() if e.kind == "test"}

    def of_kind(self, kind: ExerciseKind) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.kind == kind]

    def progressions(self, exercise_id: str) -> list[Exercise]:
        """The entry and each harder one after it, following `progression` links."""
        chain = [self.exercises[exercise_id]]
        seen = {exercise_id}
        while (next_id := chain[-1].progression) is not None and next_id not in seen:
            seen.add(next_id)
            chain.append(self.exercises[next_id])
        return chain


@dataclass(frozen=True)
class LibraryProblem:
    """One bad link: the entry, its field (`progression` or `regression`) and what is wrong."""

    exercise_id: str
    field: str
    message: str


def check_library(exercises: Mapping[str, Exercise]) -> list[LibraryProblem]:
    """Find links that dangle, point at themselves, cross kind families or loop."""
    problems: list[LibraryProblem] = []
    # Edges from the easier entry to the harder one, whichever side wrote the link.
    harder: dict[str, list[tuple[str, str, str]]] = {}
    for exercise in exercises.values():
        for field in ("progression", "regression"):
            target = getattr(exercise, field)
            if target is None:
                continue
            problem = _link_problem(exercise, field, target, exercises)
            if problem:
                problems.append(LibraryProblem(exercise.id, field, problem))
                continue
            easy, hard = (exercise.id, target) if field == "progression" else (target, exercise.id)
            harder.setdefault(easy, []).append((hard, exercise.id, field))
    for easy, edges in harder.items():
        for hard, owner, field in edges:
            loop = _path(harder, hard, easy)
            if loop is not None:
                route = " → ".join([easy, *loop])
                problems.append(
                    LibraryProblem(
                        owner,
                        field,
                        f"the links go round in a circle ({route}): an entry harder than itself",
                    )
                )
    return problems


def _link_problem(
    exercise: Exercise, field: str, target: str, exercises: Mapping[str, Exercise]
) -> str | None:
    if target == exercise.id:
        return "points at the entry itself"
    other = exercises.get(target)
    if other is None:
        return f"no exercise {target!r} in the exercise library"
    if KIND_FAMILY[other.kind] != KIND_FAMILY[exercise.kind]:
        return (
            f"{target!r} is a {other.kind} entry; a {exercise.kind} entry links only to "
            f"{KIND_FAMILY[exercise.kind]} entries"
        )
    if field == "regression" and target == exercise.progression:
        return f"{target!r} is also its progression"
    return None


def _path(
    graph: Mapping[str, list[tuple[str, str, str]]], start: str, goal: str
) -> list[str] | None:
    """A route from `start` to `goal` along the edges, or None (depth-first, no revisits)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, route = stack.pop()
        if node == goal:
            return route
        if node in seen:
            continue
        seen.add(node)
        stack.extend((nxt, [*route, nxt]) for nxt, _, _ in graph.get(node, []))
    return None
