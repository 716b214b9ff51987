"""Exercise, self-massage and criterion-test entries the protocol refers to by stable ID.

For now each entry is a name, one line and the body regions it touches; the full library
(steps, cues, contraindications, drawings) grows from these IDs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from restride.domain.anatomy import Region

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


class Exercise(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
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


class Library(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    exercises: dict[str, Exercise]

    def tests(self) -> set[str]:
        return {e.id for e in self.exercises.values() if e.kind == "test"}
