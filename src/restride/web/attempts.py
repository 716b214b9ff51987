"""Sign-in, reset and sign-up attempts, counted in the database so every app worker sees the
same counts (`sign_in_failures`).

An attempt is written down before it is checked and counted after that write commits, so
attempts still in flight count too: forty guesses at once against a limit of five get at most
five checks. Buckets: a browser the account has signed in with (its device cookie's hash) is
counted on its own; other browsers per email and per client address; reset codes per address
only (a valid code always works for its owner); sign-ups per address, successes included.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from restride.storage import tables as t
from restride.storage.tables import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from restride.storage.database import Database

# Counted over a sliding window.
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5  # from browsers the account has not signed in with
MAX_FAILURES_PER_DEVICE = 5  # from one browser the account has signed in with
MAX_FAILURES_PER_IP = 20  # from browsers unknown to the account, behind one address
MAX_RESETS_PER_IP = 10
SIGN_UP_WINDOW = dt.timedelta(hours=1)
MAX_SIGN_UPS_PER_IP = 10
FAILURES_KEPT = dt.timedelta(days=1)


class TooManyAttemptsError(Exception):
    """Too many recent failures for this email or from this address: wait `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            "Too many failed attempts. Wait "
            + (f"{minutes} minutes" if minutes > 1 else "a minute")
            + " and try again."
        )

    @property
    def message(self) -> str:
        return str(self)


def email_key(email: str) -> str:
    return email.strip().lower()[:320]


def _ip_key(ip: str | None) -> str | None:
    return ip[:64] if ip else None


def _wait_for(
    tx: Session, limit: int, now: dt.datetime, window: dt.timedelta, *conditions: Any
) -> int:
    """Seconds until at most `limit` attempts matching `conditions` are in the window, the
    attempt being counted among them (0: it may go ahead now)."""
    # The (limit+1)-th newest attempt in the window: once it ages out, this one may go.
    oldest_counted = tx.scalar(
        select(t.SignInFailure.at)
        .where(t.SignInFailure.at > now - window, *conditions)
        .order_by(t.SignInFailure.at.desc(), t.SignInFailure.id)
        .offset(limit)
        .limit(1)
    )
    if oldest_counted is None:
        return 0
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


@dataclass(frozen=True)
class Attempt:
    """An attempt written down before it is checked; `end` it once its outcome is known."""

    id: str
    kind: str
    email: str
    device: str | None


def begin_attempt(
    db: Database, kind: str, email: str, ip: str | None, device: str | None = None
) -> Attempt:
    """Write the attempt down, then count it with every other in its buckets, those still in
    flight included; `TooManyAttemptsError` (and the attempt forgotten) when over a limit.

    `device` is the hash of a device cookie the account has signed in with, or None.
    """
    now = utcnow()
    key, ip_key = email_key(email), _ip_key(ip)
    with db.transaction() as tx:
        tx.execute(delete(t.SignInFailure).where(t.SignInFailure.at < now - FAILURES_KEPT))
        row = t.SignInFailure(kind=kind, email=key, ip=ip_key, device=device, at=now)
        tx.add(row)
        tx.flush()
        attempt = Attempt(row.id, kind, key, device)
    # Counted after the commit, so two attempts at the same moment each count the other.
    f = t.SignInFailure
    with db.read() as tx:
        if kind == "sign_in" and device is not None:
            waits = [
                _wait_for(tx, MAX_FAILURES_PER_DEVICE, now, FAILURE_WINDOW, f.device == device)
            ]
        elif kind == "sign_in":
            unknown = (f.kind == kind, f.device.is_(None))
            waits = [
                _wait_for(tx, MAX_FAILURES_PER_EMAIL, now, FAILURE_WINDOW, f.email == key, *unknown)
            ]
            if ip_key is not None:
                waits.append(
                    _wait_for(
                        tx, MAX_FAILURES_PER_IP, now, FAILURE_WINDOW, f.ip == ip_key, *unknown
                    )
                )
        elif kind == "reset":
            waits = [
                _wait_for(
                    tx, MAX_RESETS_PER_IP, now, FAILURE_WINDOW, f.kind == kind, f.ip == ip_key
                )
                if ip_key is not None
                else 0
            ]
        else:  # sign_up: every one counts, not only failures
            waits = [
                _wait_for(
                    tx, MAX_SIGN_UPS_PER_IP, now, SIGN_UP_WINDOW, f.kind == kind, f.ip == ip_key
                )
                if ip_key is not None
                else 0
            ]
    wait = max(waits)
    if wait:
        _forget(db, attempt.id)  # refused unseen: it is no failure, and must not lengthen the wait
        raise TooManyAttemptsError(wait)
    return attempt


def end_attempt(db: Database, attempt: Attempt, *, succeeded: bool) -> None:
    """A failure stays counted; a success clears its bucket (the owner is back)."""
    if not succeeded or attempt.kind == "sign_up":
        return
    f = t.SignInFailure
    with db.transaction() as tx:
        if attempt.device is not None:
            tx.execute(delete(f).where(f.kind == "sign_in", f.device == attempt.device))
        else:
            tx.execute(
                delete(f).where(f.kind == "sign_in", f.email == attempt.email, f.device.is_(None))
            )
        tx.execute(delete(f).where(f.id == attempt.id))


def _forget(db: Database, attempt_id: str) -> None:
    with db.transaction() as tx:
        tx.execute(delete(t.SignInFailure).where(t.SignInFailure.id == attempt_id))
