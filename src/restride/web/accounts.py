"""Passwords, browser sessions and password-reset codes: the web app's sign-in state.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommendation).
Session tokens and reset codes are random and stored only as SHA-256 hashes, so a copy of the
database cannot sign anyone in. Everything lives in the database, so any number of app workers
can serve the same users.

Password guessing is rate-limited through the database too (`sign_in_failures`): too many
failures for one email, or from one IP address, in the last few minutes and sign-in is refused
before the password is looked at, so a refusal says nothing about the password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from restride.services.errors import ConflictError, InvalidInputError, NotFoundError
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.tables import utcnow

if TYPE_CHECKING:
    from argon2 import PasswordHasher
    from sqlalchemy.orm import InstrumentedAttribute, Session

    from restride.storage.database import Database

SESSION_DAYS = 30
RESET_CODE_MINUTES = 60
MIN_PASSWORD = 8
# argon2 hashes whatever it is given: a cap keeps one request from costing seconds of CPU.
MAX_PASSWORD = 1024
# Crockford's base32 without look-alikes: a code read aloud or typed on a phone survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# Rate limits on wrong passwords and reset codes, counted over a sliding window.
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
FAILURES_KEPT = dt.timedelta(days=1)


class SignInError(Exception):
    """Wrong email or password; the message never says which."""


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


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class SignedIn:
    account: Account
    token: str
    csrf_token: str
    session_id: str


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_code(groups: int = 3) -> str:
    """A short code like `K7QF-M2XD-93PR` (about 59 bits with three groups)."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(groups))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def _account(row: t.Account) -> Account:
    return Account(row.id, row.email, row.name, row.role)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"password: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInputError(f"password: use at most {MAX_PASSWORD} characters")


def sign_up(
    db: Database, hasher: PasswordHasher, *, email: str, name: str, password: str, role: str
) -> Account:
    """A new account with its password, in one transaction."""
    email = email.strip().lower()
    if "@" not in email or len(email) < 3 or len(email) > 320:
        raise InvalidInputError("email: that is not an email address")
    if role not in ("athlete", "clinician"):
        raise InvalidInputError("role: choose athlete or clinician")
    if not name.strip() or len(name) > 200:
        raise InvalidInputError("name: say what to call you (up to 200 characters)")
    check_password(password)
    password_hash = hasher.hash(password)
    try:
        with db.transaction() as tx:
            if repo.account_by_email(tx, email) is not None:
                raise ConflictError(f"email: an account for {email} already exists: sign in")
            row = t.Account(email=email, name=name.strip(), role=role, password_hash=password_hash)
            tx.add(row)
            tx.flush()
            return _account(row)
    except IntegrityError:
        raise ConflictError(f"email: an account for {email} already exists: sign in") from None


def _email_key(email: str) -> str:
    return email.strip().lower()[:320]


def _ip_key(ip: str | None) -> str | None:
    return ip[:64] if ip else None


def _wait_for(
    tx: Session, column: InstrumentedAttribute[Any], value: str, limit: int, now: dt.datetime
) -> int:
    """Seconds until fewer than `limit` failures for `value` are in the window (0: none now)."""
    # The limit-th newest failure in the window: once it ages out, one more attempt is allowed.
    oldest_counted = tx.scalar(
        select(t.SignInFailure.at)
        .where(column == value, t.SignInFailure.at > now - FAILURE_WINDOW)
        .order_by(t.SignInFailure.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if oldest_counted is None:
        return 0
    return max(1, math.ceil((oldest_counted + FAILURE_WINDOW - now).total_seconds()))


def check_attempts(db: Database, email: str, ip: str | None) -> None:
    """`TooManyAttemptsError` when the email, or the address, has failed too often lately."""
    now = utcnow()
    with db.transaction() as tx:
        wait = _wait_for(tx, t.SignInFailure.email, _email_key(email), MAX_FAILURES_PER_EMAIL, now)
        ip_key = _ip_key(ip)
        if ip_key is not None:
            wait = max(wait, _wait_for(tx, t.SignInFailure.ip, ip_key, MAX_FAILURES_PER_IP, now))
    if wait:
        raise TooManyAttemptsError(wait)


def record_failure(db: Database, email: str, ip: str | None) -> None:
    """Count one wrong password or code, and prune failures too old to matter."""
    now = utcnow()
    with db.transaction() as tx:
        tx.execute(delete(t.SignInFailure).where(t.SignInFailure.at < now - FAILURES_KEPT))
        tx.add(t.SignInFailure(email=_email_key(email), ip=_ip_key(ip), at=now))


def clear_failures(db: Database, email: str) -> None:
    with db.transaction() as tx:
        tx.execute(delete(t.SignInFailure).where(t.SignInFailure.email == _email_key(email)))


def sign_in(
    db: Database, hasher: PasswordHasher, *, email: str, password: str, ip: str | None = None
) -> SignedIn:
    """Check the password and open a session; `SignInError` when either is wrong, and
    `TooManyAttemptsError`, without looking at the password, after too many failures for the
    email or from the client address `ip` (None: not known, so not counted)."""
    check_attempts(db, email, ip)
    with db.transaction() as tx:
        row = repo.account_by_email(tx, email)
        stored = row.password_hash if row is not None else None
    try:
        if stored is None or len(password) > MAX_PASSWORD:
            # Spend the same time as a real check, so timing does not reveal who has an account.
            hasher.hash(password[:MAX_PASSWORD])
            raise SignInError
        hasher.verify(stored, password)
    except (SignInError, VerificationError, InvalidHashError):
        # Unknown emails count too, so the limit does not reveal who has an account either.
        record_failure(db, email, ip)
        raise SignInError from None
    if row is None:  # for mypy: a missing account raised above
        raise SignInError
    clear_failures(db, email)
    if hasher.check_needs_rehash(stored):
        set_password(db, hasher, row.id, password, sign_out=False)
    return open_session(db, _account(row))


def open_session(db: Database, account: Account) -> SignedIn:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with db.transaction() as tx:
        row = t.WebSession(
            account_id=account.id,
            token_hash=hash_secret(token),
            csrf_token=csrf,
            expires_at=utcnow() + dt.timedelta(days=SESSION_DAYS),
        )
        tx.add(row)
        tx.flush()
        return SignedIn(account, token, csrf, row.id)


def session_for(db: Database, token: str) -> SignedIn | None:
    """The live session a cookie's token names, or None (unknown, expired)."""
    if not token or len(token) > 100:
        return None
    # Every request asks this: a read, which no writer blocks; only an expired session writes.
    with db.read() as tx:
        row = tx.scalar(select(t.WebSession).where(t.WebSession.token_hash == hash_secret(token)))
        if row is None:
            return None
        if row.expires_at > utcnow():
            account = tx.get(t.Account, row.account_id)
            if account is None:
                return None
            return SignedIn(_account(account), token, row.csrf_token, row.id)
    with db.transaction() as tx:
        tx.execute(delete(t.WebSession).where(t.WebSession.id == row.id))
    return None


def sign_out(db: Database, session_id: str) -> None:
    with db.transaction() as tx:
        tx.execute(delete(t.WebSession).where(t.WebSession.id == session_id))


def sign_out_everywhere(db: Database, account_id: str) -> int:
    """End every session of the account (this browser's too); returns how many."""
    with db.transaction() as tx:
        result = tx.execute(delete(t.WebSession).where(t.WebSession.account_id == account_id))
        return int(getattr(result, "rowcount", 0) or 0)


def set_password(
    db: Database, hasher: PasswordHasher, account_id: str, password: str, *, sign_out: bool = True
) -> None:
    check_password(password)
    password_hash = hasher.hash(password)
    with db.transaction() as tx:
        row = tx.get(t.Account, account_id)
        if row is None:
            raise NotFoundError("no such account")
        row.password_hash = password_hash
        if sign_out:
            tx.execute(delete(t.WebSession).where(t.WebSession.account_id == account_id))


def create_reset_code(db: Database, email: str) -> str:
    """A one-time code (valid an hour) that lets the account holder choose a new password."""
    code = new_code()
    with db.transaction() as tx:
        row = repo.account_by_email(tx, email)
        if row is None:
            raise NotFoundError(f"no account for {email.strip().lower()}")
        tx.add(
            t.ResetCode(
                account_id=row.id,
                code_hash=hash_secret(code),
                expires_at=utcnow() + dt.timedelta(minutes=RESET_CODE_MINUTES),
            )
        )
    return code


def reset_password(
    db: Database,
    hasher: PasswordHasher,
    *,
    email: str,
    code: str,
    password: str,
    ip: str | None = None,
) -> None:
    """Spend a reset code on a new password; every session of the account ends. Wrong codes
    count as failed sign-ins: `TooManyAttemptsError` after too many, before the code is read."""
    check_password(password)
    check_attempts(db, email, ip)
    refused = InvalidInputError("code: that code is wrong, used or expired: ask for a new one")
    password_hash = hasher.hash(password)
    try:
        _spend_reset_code(db, email, code, password_hash, refused)
    except InvalidInputError:
        record_failure(db, email, ip)
        raise
    clear_failures(db, email)


def _spend_reset_code(
    db: Database, email: str, code: str, password_hash: str, refused: InvalidInputError
) -> None:
    with db.transaction() as tx:
        account = repo.account_by_email(tx, email)
        found = tx.scalar(
            select(t.ResetCode).where(t.ResetCode.code_hash == hash_secret(normalise_code(code)))
        )
        if (
            account is None
            or found is None
            or not hmac.compare_digest(found.account_id, account.id)
            or found.used_at is not None
            or found.expires_at <= utcnow()
        ):
            raise refused
        found.used_at = utcnow()
        account.password_hash = password_hash
        tx.execute(delete(t.WebSession).where(t.WebSession.account_id == account.id))


UNITS = ("metric", "imperial")


def units_of(db: Database, account_id: str) -> str:
    with db.transaction() as tx:
        row = tx.get(t.Account, account_id)
        return row.units if row is not None else UNITS[0]


def set_units(db: Database, account_id: str, units: str) -> None:
    if units not in UNITS:
        raise InvalidInputError("units: choose metric or imperial")
    with db.transaction() as tx:
        row = tx.get(t.Account, account_id)
        if row is None:
            raise NotFoundError("no such account")
        row.units = units


def delete_account(db: Database, hasher: PasswordHasher, account_id: str, password: str) -> None:
    """Check the password, then delete the account and, through the tables' ON DELETE CASCADE,
    everything of it: episodes, check-ins, sessions, activities, shares, sessions, codes."""
    with db.transaction() as tx:
        row = tx.get(t.Account, account_id)
        stored = row.password_hash if row is not None else None
    try:
        if stored is None or len(password) > MAX_PASSWORD:
            raise SignInError
        hasher.verify(stored, password)
    except (SignInError, VerificationError, InvalidHashError):
        raise InvalidInputError("password: that is not your password") from None
    with db.transaction() as tx:
        tx.execute(delete(t.Account).where(t.Account.id == account_id))
