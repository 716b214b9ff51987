"""Calendar subscription links: a secret URL a calendar app polls without signing in (issue 6).

The token is random (256 bits) and stored only as its SHA-256 hash, so a copy of the database
cannot read anyone's plan. One link per athlete: a new link replaces the old, and revoking
deletes it, so a leaked link stops working at once.
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from restride.storage import tables as t
from restride.web.accounts import hash_secret

if TYPE_CHECKING:
    import datetime as dt

    from restride.storage.database import Database

# token_urlsafe(32) gives 43 characters; anything far longer is not ours.
MAX_TOKEN = 100


def create_feed_token(db: Database, athlete_id: str) -> str:
    """A new secret link token for the athlete; any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    with db.transaction() as tx:
        row = tx.scalar(select(t.CalendarToken).where(t.CalendarToken.athlete_id == athlete_id))
        if row is None:
            tx.add(t.CalendarToken(athlete_id=athlete_id, token_hash=hash_secret(token)))
        else:
            row.token_hash = hash_secret(token)
            row.created_at = t.utcnow()
    return token


def revoke_feed_token(db: Database, athlete_id: str) -> None:
    with db.transaction() as tx:
        tx.execute(delete(t.CalendarToken).where(t.CalendarToken.athlete_id == athlete_id))


def feed_made_at(db: Database, athlete_id: str) -> dt.datetime | None:
    """When the athlete's current link was made, or None without one."""
    with db.transaction() as tx:
        row = tx.scalar(select(t.CalendarToken).where(t.CalendarToken.athlete_id == athlete_id))
        return row.created_at if row is not None else None


def athlete_for_feed(db: Database, token: str) -> str | None:
    """The athlete whose live link this token is, or None (unknown, revoked, replaced)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    wanted = hash_secret(token)
    with db.transaction() as tx:
        row = tx.scalar(select(t.CalendarToken).where(t.CalendarToken.token_hash == wanted))
        # The lookup is by hash, so timing says nothing about the token; compare once more in
        # constant time all the same, so a database collation can never loosen the match.
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        return row.athlete_id
