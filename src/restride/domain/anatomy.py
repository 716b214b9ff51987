"""Injury sites restride knows, the body region each belongs to, and whether it is a bone.

The region is what the prescription builder spares: self-massage never works the injured
region on the injured side (seed step 4, EX-5) and the early phases load nothing there.
Which sites are high-risk is protocol data (RTR-3), not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Region = Literal[
    "foot_forefoot",
    "foot_midfoot",
    "foot_heel",
    "foot_sole",
    "ankle",
    "lower_leg",
    "knee",
    "thigh",
    "hip",
    "pelvis",
    "low_back",
    "upper_back",
    "shoulder",
    "other",
]

REGIONS: tuple[Region, ...] = get_args(Region)


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    regions: tuple[Region, ...]
    bone: bool


def _site(site_id: str, name: str, regions: tuple[Region, ...], *, bone: bool) -> Site:
    return Site(site_id, name, regions, bone)


# The foot's regions overlap: rolling the sole loads the metatarsal shafts from below,
# so a forefoot bone also spares the sole.
SITES: dict[str, Site] = {
    s.id: s
    for s in (
        _site(
            "metatarsal_1_shaft", "1st metatarsal shaft", ("foot_forefoot", "foot_sole"), bone=True
        ),
        _site(
            "metatarsal_2_shaft", "2nd metatarsal shaft", ("foot_forefoot", "foot_sole"), bone=True
        ),
        _site(
            "metatarsal_3_shaft", "3rd metatarsal shaft", ("foot_forefoot", "foot_sole"), bone=True
        ),
        _site(
            "metatarsal_4_shaft", "4th metatarsal shaft", ("foot_forefoot", "foot_sole"), bone=True
        ),
        _site(
            "metatarsal_5_shaft", "5th metatarsal shaft", ("foot_forefoot", "foot_sole"), bone=True
        ),
        _site(
            "metatarsal_base",
            "base of the 2nd-4th metatarsal",
            ("foot_midfoot", "foot_sole"),
            bone=True,
        ),
        _site(
            "metatarsal_5_base",
            "base of the 5th metatarsal",
            ("foot_midfoot", "foot_sole"),
            bone=True,
        ),
        _site(
            "sesamoid", "sesamoid bones of the big toe", ("foot_forefoot", "foot_sole"), bone=True
        ),
        _site("navicular", "navicular", ("foot_midfoot", "foot_sole", "ankle"), bone=True),
        _site("cuboid", "cuboid", ("foot_midfoot", "foot_sole"), bone=True),
        _site("calcaneus", "heel bone (calcaneus)", ("foot_heel", "foot_sole"), bone=True),
        _site("talus", "talus", ("ankle", "foot_heel"), bone=True),
        _site("tibia_posteromedial", "inner shin (posteromedial tibia)", ("lower_leg",), bone=True),
        _site("tibia_anterior", "front of the shin (anterior tibia)", ("lower_leg",), bone=True),
        _site("fibula", "fibula", ("lower_leg", "ankle"), bone=True),
        _site("femoral_neck", "femoral neck", ("hip", "thigh"), bone=True),
        _site("femoral_shaft", "thigh bone (femoral shaft)", ("thigh",), bone=True),
        _site("pelvis", "pelvis", ("pelvis", "hip"), bone=True),
        _site("sacrum", "sacrum", ("pelvis", "low_back"), bone=True),
        _site("plantar_fascia", "plantar fascia", ("foot_sole", "foot_heel"), bone=False),
        _site("achilles", "Achilles tendon", ("ankle", "lower_leg"), bone=False),
        _site("calf", "calf muscles", ("lower_leg",), bone=False),
        _site("shin_splints", "shin (medial tibial stress syndrome)", ("lower_leg",), bone=False),
        _site("ankle", "ankle", ("ankle",), bone=False),
        _site("knee", "knee", ("knee",), bone=False),
        _site("patellar_tendon", "patellar tendon", ("knee",), bone=False),
        _site("it_band", "iliotibial band", ("thigh", "knee"), bone=False),
        _site("hamstring", "hamstring", ("thigh",), bone=False),
        _site("quadriceps", "quadriceps", ("thigh",), bone=False),
        _site("hip", "hip", ("hip",), bone=False),
        _site("groin", "groin (adductors)", ("hip", "thigh"), bone=False),
        _site("low_back", "low back", ("low_back",), bone=False),
        _site("other", "somewhere else", ("other",), bone=False),
    )
}

SITE_IDS: tuple[str, ...] = tuple(SITES)


def regions_of(site_id: str) -> tuple[Region, ...]:
    return SITES[site_id].regions
