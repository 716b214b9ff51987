"""Which protocol fits an injury: proposed at onboarding, explained in a sentence, and changed
by a clinician with a recorded event (`change_protocol`).

The site decides the tissue (RF-8): an injury at a bone, or imaged as a bone stress injury, is
always proposed a bone protocol, whatever its `kind` says; a high-risk bone site gets the
high-risk variant (RTR-3). Anything restride has no protocol of its own for (a quadriceps or
groin strain: muscle-strain's loading is written for the calf and hamstring) gets the most
cautious one, ten-steps, until a clinician chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.anatomy import SITES
from restride.domain.pain import is_bone_injury

if TYPE_CHECKING:
    from collections.abc import Collection

    from restride.domain.case import Injury

DEFAULT = "ten-steps"
HIGH_RISK = "bone-high-risk"
# The high-risk bone sites of RTR-3 (the protocol's own list decides its clearances).
HIGH_RISK_SITES = frozenset(
    {"navicular", "femoral_neck", "tibia_anterior", "metatarsal_5_base", "metatarsal_base"}
)
# Soft-tissue sites and the protocol written for them, with why, in a runner's words.
BY_SITE: dict[str, tuple[str, str]] = {
    "achilles": (
        "achilles-tendinopathy",
        "an Achilles tendon gets better with loading it can take, watched through pain, not "
        "with crutches and rest",
    ),
    "patellar_tendon": (
        "patellar-tendinopathy",
        "a patellar tendon gets better with slow, heavy loading that is built up over weeks",
    ),
    "plantar_fascia": (
        "plantar-fasciitis",
        "plantar fascia pain eases with strengthening and stretching, and rolling the sole is "
        "part of it",
    ),
    "calf": ("muscle-strain", "a calf strain heals best with graded loading from the first days"),
    "hamstring": (
        "muscle-strain",
        "a hamstring strain heals best with graded loading that lengthens the muscle",
    ),
    "low_back": (
        "low-back-pain",
        "low-back pain settles sooner when you stay active than with rest",
    ),
}


@dataclass(frozen=True)
class Proposal:
    protocol: str
    why: str


def propose(injury: Injury, available: Collection[str]) -> Proposal:
    """The protocol for `injury` among the `available` ones, and a sentence saying why."""
    site = SITES[injury.site]
    if is_bone_injury(injury, tenderness_seen=False):
        if injury.site in HIGH_RISK_SITES and HIGH_RISK in available:
            return Proposal(
                HIGH_RISK,
                f"A bone stress injury at the {site.name} is at a high-risk site: it heals "
                "slowly and can go wrong, so every step up in loading waits for a clinician's "
                "clearance, after a longer time off it.",
            )
        why = f"The {site.name} is a bone" if site.bone else f"The {site.name} was imaged as a bone"
        return Proposal(
            DEFAULT,
            f"{why}, so it gets the ten steps written for a bone stress injury: off it until "
            "walking is pain-free, then back to running stage by stage, pain-free at the bone.",
        )
    chosen = BY_SITE.get(injury.site)
    if chosen is not None and chosen[0] in available:
        protocol, reason = chosen
        return Proposal(protocol, f"For the {site.name}: {reason}.")
    return Proposal(
        DEFAULT,
        f"restride has no program of its own for the {site.name}, so it proposes the most "
        "cautious one, the ten steps, until your clinician chooses another.",
    )
