"""Passwords, browser sessions and password-reset codes: the web app's sign-in state.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommendation).
Session tokens and reset codes are random and stored only as SHA-256 hashes, so a copy of the
database cannot sign anyone in. Everything lives in the database, so any number of app workers
can serve the same users.

Password guessing is rate-limited through the database too (`attempts.py`): attempts are
counted before the password is checked, so those in flight count; each browser the account has
signed in with (a device cookie, `trusted_devices`) is counted on its own, so guesses from
elsewhere never lock the owner out of their own browsers; a refusal comes before the password
is looked at, so it says nothing about the password. One-time codes are spent with a
conditional UPDATE, so two redeemers at the same moment cannot both win, on either database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from restride.services.errors import ConflictError, InvalidInputError, NotFoundError
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.tables import utcnow
from restride.web.attempts import (
    begin_attempt,
    email_key,
    end_attempt,
)

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from restride.storage.database import Database

SESSION_DAYS = 30
RESET_CODE_MINUTES = 60
MIN_PASSWORD = 8
# argon2 hashes whatever it is given: a cap keeps one request from costing seconds of CPU.
MAX_PASSWORD = 1024
# Crockford's base32 without look-alikes: a code read aloud or typed on a phone survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
DEVICE_DAYS = 365


class SignInError(Exception):
    """Wrong email or password; the message never says which."""


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
    device_token: str | None = None  # a new device cookie to set, after a sign-in


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
    password_hash = hasher.hash(password)  # before the lookup: the same work either way
    try:
        with db.transaction() as tx:
            if repo.account_by_email(tx, email) is not None:
                raise ConflictError(SIGN_UP_REFUSED)
            row = t.Account(email=email, name=name.strip(), role=role, password_hash=password_hash)
            tx.add(row)
            tx.flush()
            return _account(row)
    except IntegrityError:
        raise ConflictError(SIGN_UP_REFUSED) from None


# The same words whatever the reason, so a sign-up never says who already has an account.
SIGN_UP_REFUSED = (
    "We could not create an account with these details. If you already have one, sign in,"
    " or ask for a password-reset code."
)


def device_of(db: Database, email: str, token: str | None) -> str | None:
    """The hash of the device cookie `token`, if the account of `email` signed in with it."""
    if not token or len(token) > 100:
        return None
    hashed = hash_secret(token)
    with db.read() as tx:
        account = repo.account_by_email(tx, email_key(email))
        if account is None:
            return None
        found = tx.scalar(
            select(t.TrustedDevice.id).where(
                t.TrustedDevice.token_hash == hashed, t.TrustedDevice.account_id == account.id
            )
        )
    return hashed if found is not None else None


def _remember_device(db: Database, account_id: str, device: str | None) -> str | None:
    """Note this browser as one the account signs in with; a new cookie token, if it needs one."""
    now = utcnow()
    with db.transaction() as tx:
        if device is not None:
            row = tx.scalar(select(t.TrustedDevice).where(t.TrustedDevice.token_hash == device))
            if row is not None:
                row.last_used_at = now
                return None
        token = secrets.token_urlsafe(32)
        tx.add(
            t.TrustedDevice(
                account_id=account_id,
                token_hash=hash_secret(token),
                created_at=now,
                last_used_at=now,
            )
        )
        tx.execute(
            delete(t.TrustedDevice).where(
                t.TrustedDevice.account_id == account_id,
                t.TrustedDevice.last_used_at < now - dt.timedelta(days=DEVICE_DAYS),
            )
        )
        return token


def sign_in(
    db: Database,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    ip: str | None = None,
    device_token: str | None = None,
) -> SignedIn:
    """Check the password and open a session; `SignInError` when either is wrong, and
    `TooManyAttemptsError`, without looking at the password, after too many attempts in the
    attempt's bucket: this browser's if the account signed in with it (`device_token`, the
    device cookie), else the email's and the client address `ip`'s (None: not counted)."""
    device = device_of(db, email, device_token)
    attempt = begin_attempt(db, "sign_in", email, ip, device)
    with db.read() as tx:
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
        end_attempt(db, attempt, succeeded=False)
        raise SignInError from None
    if row is None:  # for mypy: a missing account raised above
        raise SignInError
    end_attempt(db, attempt, succeeded=True)
    if hasher.check_needs_rehash(stored):
        set_password(db, hasher, row.id, password, sign_out=False)
    new_device = _remember_device(db, row.id, device)
    signed_in = open_session(db, _account(row))
    return dataclasses.replace(signed_in, device_token=new_device)


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
    are limited per client address: `TooManyAttemptsError` after too many, before the code is
    read. Not per email: a valid code always works for its owner, whoever guessed before."""
    check_password(password)
    attempt = begin_attempt(db, "reset", email, ip)
    refused = InvalidInputError("code: that code is wrong, used or expired: ask for a new one")
    password_hash = hasher.hash(password)
    try:
        _spend_reset_code(db, email, code, password_hash, refused)
    except InvalidInputError:
        end_attempt(db, attempt, succeeded=False)
        raise
    end_attempt(db, attempt, succeeded=True)
    with db.transaction() as tx:  # the owner is back: guesses at the password start over
        f = t.SignInFailure
        tx.execute(delete(f).where(f.email == email_key(email), f.device.is_(None)))


def _spend_reset_code(
    db: Database, email: str, code: str, password_hash: str, refused: InvalidInputError
) -> None:
    now = utcnow()
    with db.transaction() as tx:
        account = repo.account_by_email(tx, email)
        if account is None:
            raise refused
        # One conditional UPDATE spends the code: of two requests at the same moment, the
        # second finds it used (PostgreSQL re-reads the row once the first commits).
        spent = tx.execute(
            update(t.ResetCode)
            .where(
                t.ResetCode.code_hash == hash_secret(normalise_code(code)),
                t.ResetCode.account_id == account.id,
                t.ResetCode.used_at.is_(None),
                t.ResetCode.expires_at > now,
            )
            .values(used_at=now)
        )
        if getattr(spent, "rowcount", 0) != 1:
            raise refused
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
