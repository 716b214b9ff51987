"""Shoes: described by hand (MIN-6), listed with the distance run in each."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from restride.domain.shoes import (
    ShoeType,
    check_figures,
    minimalist_index,
    shoe_type,
    use_per_shoe,
)
from restride.services.errors import ConflictError, InvalidInputError, NotFoundError
from restride.services.insights import history
from restride.storage import tables as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from restride.storage.database import Database


@dataclass(frozen=True)
class ShoeInfo:
    name: str
    brand: str | None
    model: str | None
    weight_g: float | None
    stack_mm: float | None
    drop_mm: float | None
    flexibility: int | None
    motion_control: int | None
    minimalist_index: float | None  # MIN-6, percent
    type: ShoeType
    retired_on: dt.date | None
    runs: int = 0
    km: float = 0.0
    minutes: float = 0.0
    first_used: dt.date | None = None
    last_used: dt.date | None = None


def _info(row: t.Shoe) -> ShoeInfo:
    return ShoeInfo(
        row.name,
        row.brand,
        row.model,
        row.weight_g,
        row.stack_mm,
        row.drop_mm,
        row.flexibility,
        row.motion_control,
        row.minimalist_index,
        shoe_type(row.minimalist_index),
        row.retired_on,
    )


def _athlete(tx: DbSession, athlete_id: str) -> None:
    athlete = tx.get(t.Account, athlete_id)
    if athlete is None or athlete.role != "athlete":
        raise NotFoundError("no such athlete")


def describe_shoe(
    db: Database,
    athlete_id: str,
    name: str,
    *,
    weight_g: float | None = None,
    stack_mm: float | None = None,
    drop_mm: float | None = None,
    flexibility: int | None = None,
    motion_control: int | None = None,
    brand: str | None = None,
    model: str | None = None,
) -> tuple[ShoeInfo, bool]:
    """Add a shoe, or give figures for one (an import may have made it from a gear name).

    Figures not given keep what was stored. The Minimalist Index is worked out once all five
    are known. Returns the shoe and whether it is new.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInputError("name: 1 to 200 characters, please")
    try:
        check_figures(
            weight_g=weight_g,
            stack_mm=stack_mm,
            drop_mm=drop_mm,
            flexibility=flexibility,
            motion_control=motion_control,
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    try:
        with db.transaction() as tx:
            _athlete(tx, athlete_id)
            row = tx.scalar(
                select(t.Shoe).where(t.Shoe.athlete_id == athlete_id, t.Shoe.name == name)
            )
            created = row is None
            if row is None:
                row = t.Shoe(athlete_id=athlete_id, name=name)
                tx.add(row)
            given = {
                "weight_g": weight_g,
                "stack_mm": stack_mm,
                "drop_mm": drop_mm,
                "flexibility": flexibility,
                "motion_control": motion_control,
                "brand": brand,
                "model": model,
            }
            for field, value in given.items():
                if value is not None:
                    setattr(row, field, value)
            parts = (row.weight_g, row.stack_mm, row.drop_mm, row.flexibility, row.motion_control)
            if all(p is not None for p in parts):
                index = minimalist_index(
                    weight_g=row.weight_g,  # type: ignore[arg-type]
                    stack_mm=row.stack_mm,  # type: ignore[arg-type]
                    drop_mm=row.drop_mm,  # type: ignore[arg-type]
                    flexibility=row.flexibility,  # type: ignore[arg-type]
                    motion_control=row.motion_control,  # type: ignore[arg-type]
                )
                row.minimalist_index = index.percent
            tx.flush()
            return _info(row), created
    except IntegrityError:
        raise ConflictError(f"a shoe named {name!r} was added at the same moment") from None


def list_shoes(db: Database, athlete_id: str, zone: dt.tzinfo = dt.UTC) -> list[ShoeInfo]:
    """Every shoe with the runs, km and minutes in it, most used first."""
    with db.transaction() as tx:
        _athlete(tx, athlete_id)
        rows = list(tx.scalars(select(t.Shoe).where(t.Shoe.athlete_id == athlete_id)))
        activities, _specs = history(tx, athlete_id)
    used = use_per_shoe(activities.values(), zone)
    shoes = []
    for row in rows:
        info, use = _info(row), used.get(row.name)
        if use is not None:
            info = dataclasses.replace(
                info,
                runs=use.runs,
                km=use.km,
                minutes=use.minutes,
                first_used=use.first,
                last_used=use.last,
            )
        shoes.append(info)
    return sorted(shoes, key=lambda s: (-s.km, -s.minutes, s.name))
