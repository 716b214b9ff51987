"""Sharing by invite code: the athlete makes a one-time code, their clinician redeems it.

A code, not an email address, because the athlete may not know which address the clinic uses
for restride, and a code read out in the clinic room is consent given in person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from restride.services.errors import ConflictError, ForbiddenError, InvalidInputError
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.tables import utcnow
from restride.web.accounts import Account, hash_secret, new_code, normalise_code

if TYPE_CHECKING:
    from restride.storage.database import Database

INVITE_DAYS = 7


@dataclass(frozen=True)
class Invite:
    code: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class SharedWith:
    clinician: Account
    since: dt.datetime


def create_invite(db: Database, athlete_id: str) -> Invite:
    code = new_code()
    expires = utcnow() + dt.timedelta(days=INVITE_DAYS)
    with db.transaction() as tx:
        athlete = tx.get(t.Account, athlete_id)
        if athlete is None or athlete.role != "athlete":
            raise ForbiddenError("only an athlete can share their record")
        tx.add(t.InviteCode(athlete_id=athlete_id, code_hash=hash_secret(code), expires_at=expires))
    return Invite(code, expires)


def redeem_invite(db: Database, clinician_id: str, code: str) -> Account:
    """Open a share from the code's athlete to this clinician; returns the athlete."""
    refused = InvalidInputError("code: that invite code is wrong, used or expired")
    now = utcnow()
    code_hash = hash_secret(normalise_code(code))
    try:
        with db.transaction() as tx:
            clinician = tx.get(t.Account, clinician_id)
            if clinician is None or clinician.role != "clinician":
                raise ForbiddenError("only a clinician can redeem an invite code")
            # One conditional UPDATE spends the code: of two clinicians redeeming it at the
            # same moment, the second finds it used (PostgreSQL re-reads the row once the
            # first commits), so a code never opens two shares.
            spent = tx.execute(
                update(t.InviteCode)
                .where(
                    t.InviteCode.code_hash == code_hash,
                    t.InviteCode.used_at.is_(None),
                    t.InviteCode.expires_at > now,
                )
                .values(used_at=now, used_by=clinician_id)
            )
            if getattr(spent, "rowcount", 0) != 1:
                raise refused
            athlete_id = tx.scalar(
                select(t.InviteCode.athlete_id).where(t.InviteCode.code_hash == code_hash)
            )
            athlete = tx.get(t.Account, athlete_id) if athlete_id is not None else None
            if athlete is None:
                raise refused
            if repo.open_share(tx, athlete.id, clinician_id) is None:
                tx.add(t.Share(athlete_id=athlete.id, clinician_id=clinician_id))
            return Account(athlete.id, athlete.email, athlete.name, athlete.role)
    except IntegrityError:
        # The same code redeemed twice at the same moment (PostgreSQL): one of them wins.
        raise ConflictError("that invite code was just used: reload the board") from None


def shared_with(db: Database, athlete_id: str) -> list[SharedWith]:
    """The clinicians who can see this athlete's record now."""
    with db.transaction() as tx:
        rows = tx.execute(
            select(t.Account, t.Share.created_at)
            .join(t.Share, t.Share.clinician_id == t.Account.id)
            .where(t.Share.athlete_id == athlete_id, t.Share.revoked_at.is_(None))
            .order_by(t.Account.name)
        ).all()
        return [SharedWith(Account(a.id, a.email, a.name, a.role), since) for a, since in rows]
