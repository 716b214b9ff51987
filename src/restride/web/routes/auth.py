"""Sign-up, sign-in, sign-out (here or everywhere) and password reset by an operator's code."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import ipaddress
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from restride.services.errors import ServiceError
from restride.settings import IPNetwork
from restride.web import accounts, attempts
from restride.web.deps import Db, Hasher, MaybeSignedIn, SignedInUser
from restride.web.rendering import (
    DEVICE_COOKIE,
    clear_session_cookie,
    render,
    set_device_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def home_for(role: str) -> str:
    return "/board" if role == "clinician" else "/today"


def safe_next(target: str | None, role: str) -> str:
    """Only a path on this site: `next` must not send anyone elsewhere after sign-in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return home_for(role)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def client_ip(request: Request) -> str | None:
    """The client's address: the connection's own, unless it comes from a trusted proxy
    (RESTRIDE_TRUSTED_PROXIES); then the last address in X-Forwarded-For that is no trusted
    proxy, as each proxy appends the address it saw. A header from anyone else is ignored, so
    rotating it buys no fresh rate limit."""
    peer = request.client.host if request.client is not None else None
    proxies: Sequence[IPNetwork] = getattr(request.app.state, "trusted_proxies", ())
    if peer is None or not _is_proxy(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    hops = [h for h in hops if h]
    for hop in reversed(hops):
        if not _is_proxy(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


def _is_proxy(address: str, proxies: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def too_many(
    request: Request, page: str, context: dict[str, object], exc: attempts.TooManyAttemptsError
) -> Response:
    response = render(request, page, {**context, "error": exc.message}, status=429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@router.get("/")
def home(session: MaybeSignedIn) -> Response:
    if session is None:
        return see_other("/signin")
    return see_other(home_for(session.account.role))


@router.get("/signup")
def signup_page(request: Request, role: str = "athlete") -> Response:
    return render(request, "signup.html", {"form": {"role": role}})


@router.post("/signup")
def signup(
    request: Request,
    db: Db,
    hasher: Hasher,
    name: Text,
    email: Text,
    password: Text,
    role: Annotated[str, Form()] = "athlete",
) -> Response:
    form = {"name": name, "email": email, "role": role}
    try:
        attempts.begin_attempt(db, "sign_up", "", client_ip(request))
    except attempts.TooManyAttemptsError as exc:
        return too_many(request, "signup.html", {"form": form}, exc)
    try:
        account = accounts.sign_up(db, hasher, email=email, name=name, password=password, role=role)
    except ServiceError as exc:
        return render(request, "signup.html", {"form": form, "error": exc.message}, status=422)
    signed_in = accounts.open_session(db, account)
    response = see_other("/onboarding" if account.role == "athlete" else "/board")
    set_session_cookie(response, request, signed_in.token)
    return response


@router.get("/signin")
def signin_page(request: Request, next: str | None = None, deleted: str = "") -> Response:
    demos = request.app.state.demo_sign_ins
    notice = "Your account and everything in it are deleted." if deleted == "1" else None
    context = {"next": next or "", "form": {}, "demos": demos, "notice": notice}
    return render(request, "signin.html", context)


@router.post("/signin")
def signin(
    request: Request,
    db: Db,
    hasher: Hasher,
    email: Text,
    password: Text,
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        signed_in = accounts.sign_in(
            db,
            hasher,
            email=email,
            password=password,
            ip=client_ip(request),
            device_token=request.cookies.get(DEVICE_COOKIE),
        )
    except attempts.TooManyAttemptsError as exc:
        return too_many(request, "signin.html", {"next": next, "form": {"email": email}}, exc)
    except accounts.SignInError:
        context = {
            "next": next,
            "form": {"email": email},
            "error": "That email and password do not match an account.",
        }
        return render(request, "signin.html", context, status=401)
    response = see_other(safe_next(next, signed_in.account.role))
    set_session_cookie(response, request, signed_in.token)
    if signed_in.device_token is not None:
        set_device_cookie(response, request, signed_in.device_token)
    return response


@router.post("/signout")
def signout(request: Request, db: Db, session: MaybeSignedIn) -> Response:
    if session is not None:
        accounts.sign_out(db, session.session_id)
    response = see_other("/signin")
    clear_session_cookie(response, request)
    return response


@router.post("/signout-everywhere")
def signout_everywhere(request: Request, db: Db, session: SignedInUser) -> Response:
    accounts.sign_out_everywhere(db, session.account.id)
    response = see_other("/signin")
    clear_session_cookie(response, request)
    return response


@router.get("/reset")
def reset_page(request: Request) -> Response:
    return render(request, "reset.html", {"form": {}})


@router.post("/reset")
def reset(
    request: Request, db: Db, hasher: Hasher, email: Text, code: Text, password: Text
) -> Response:
    try:
        accounts.reset_password(
            db, hasher, email=email, code=code, password=password, ip=client_ip(request)
        )
    except attempts.TooManyAttemptsError as exc:
        return too_many(request, "reset.html", {"form": {"email": email}}, exc)
    except ServiceError as exc:
        context = {"form": {"email": email}, "error": exc.message}
        return render(request, "reset.html", context, status=422)
    context = {"next": "", "form": {"email": email}, "notice": "Password changed: sign in."}
    return render(request, "signin.html", context)
