"""Who is asking, and may they: the access checks every route declares in its signature.

`CurrentAthlete` and `CurrentClinician` check the signed-in role; `SharedAthleteFor` also
checks that the athlete in the path shares with this clinician (the services check it again).
`csrf_protect` runs on every request the app serves and refuses a state-changing one without
the session's token.
"""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
import hmac
from typing import TYPE_CHECKING, Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request

from restride.services import audit
from restride.services.athletes import AccountInfo
from restride.services.errors import NotFoundError
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.database import Database
from restride.web.accounts import SignedIn, session_for
from restride.web.errors import CsrfError, NotSignedInError, WrongRoleError

if TYPE_CHECKING:
    from collections.abc import Callable

SESSION_COOKIE = "restride_session"
# Before sign-in there is no session to hold the CSRF token: a cookie holds it instead
# (double submit), so sign-in and sign-up forms cannot be posted from another site either.
ANON_CSRF_COOKIE = "restride_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.hasher
    return hasher


def get_today(request: Request) -> dt.date:
    clock: Callable[[], dt.date] = request.app.state.today
    return clock()


Db = Annotated[Database, Depends(get_db)]
Hasher = Annotated[PasswordHasher, Depends(get_hasher)]
Today = Annotated[dt.date, Depends(get_today)]


def current_session(request: Request) -> SignedIn | None:
    """The signed-in session, looked up once per request."""
    if not hasattr(request.state, "signed_in"):
        token = request.cookies.get(SESSION_COOKIE, "")
        request.state.signed_in = session_for(get_db(request), token) if token else None
    signed_in: SignedIn | None = request.state.signed_in
    return signed_in


MaybeSignedIn = Annotated[SignedIn | None, Depends(current_session)]


def require_session(session: MaybeSignedIn) -> SignedIn:
    if session is None:
        raise NotSignedInError("Please sign in first.")
    return session


def current_athlete(session: Annotated[SignedIn, Depends(require_session)]) -> SignedIn:
    if session.account.role != "athlete":
        raise WrongRoleError("This page is for athletes; you are signed in as a clinician.")
    return session


def current_clinician(session: Annotated[SignedIn, Depends(require_session)]) -> SignedIn:
    if session.account.role != "clinician":
        raise WrongRoleError("This page is for clinicians; you are signed in as an athlete.")
    return session


SignedInUser = Annotated[SignedIn, Depends(require_session)]
CurrentAthlete = Annotated[SignedIn, Depends(current_athlete)]
CurrentClinician = Annotated[SignedIn, Depends(current_clinician)]


def shared_athlete_for(
    request: Request, athlete_id: str, clinician: CurrentClinician, db: Db
) -> AccountInfo:
    """The athlete in the path, if they share with this clinician now; else 404 (their
    existence is not the clinician's business). The read is written to the audit log first."""
    with db.read() as tx:
        athlete = tx.get(t.Account, athlete_id) if len(athlete_id) <= 32 else None
        if athlete is None or repo.open_share(tx, athlete.id, clinician.account.id) is None:
            raise NotFoundError("No athlete with that link shares their record with you.")
        found = AccountInfo(athlete.id, athlete.email, athlete.name, athlete.role)
    route = request.scope.get("route")
    audit.record_read(
        db,
        athlete_id=found.id,
        clinician_id=clinician.account.id,
        clinician_name=clinician.account.name,
        what=f"{request.method} {getattr(route, 'path', request.url.path)}",
    )
    return found


SharedAthleteFor = Annotated[AccountInfo, Depends(shared_athlete_for)]


def expected_csrf(request: Request, session: SignedIn | None) -> str | None:
    if session is not None:
        return session.csrf_token
    return request.cookies.get(ANON_CSRF_COOKIE)


async def csrf_protect(request: Request, session: MaybeSignedIn) -> None:
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        # Starlette keeps the parsed form, so the route reads it again for free.
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    expected = expected_csrf(request, session)
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise CsrfError(
            "This form has expired or did not come from restride. Reload the page and try again."
        )
