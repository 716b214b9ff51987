"""The app factory: `create_app(database)` wires pages, API, static files, errors and headers."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from restride.settings import load_settings
from restride.web import errors
from restride.web.body_limit import BodyLimit
from restride.web.deps import SESSION_COOKIE, csrf_protect
from restride.web.routes import (
    api,
    athlete,
    auth,
    checkin,
    clinician,
    day,
    exports,
    library,
    more,
    settings,
    training,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from fastapi import Request, Response

    from restride.storage.database import Database

# Nothing from other origins, no inline script or style: the vendored files are all there is.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True)
class DemoSignIn:
    """A demo account the sign-in page offers with one click; its password is public."""

    label: str
    email: str
    password: str


def default_clock() -> Callable[[], dt.date]:
    """RESTRIDE_TODAY if set (demos, tests), else the real date, read on every request."""
    fixed = load_settings().today

    def today() -> dt.date:
        return fixed or dt.date.today()  # noqa: DTZ011 - the runner's local calendar day

    return today


def create_app(
    database: Database,
    *,
    today: Callable[[], dt.date] | None = None,
    password_hasher: PasswordHasher | None = None,
    demo_sign_ins: Sequence[DemoSignIn] = (),
    max_upload_bytes: int = training.DEFAULT_MAX_UPLOAD_BYTES,
    trusted_proxies: Sequence[str] | None = None,
) -> FastAPI:
    """The web app on `database` (already migrated). `today` and `password_hasher` are for
    tests: a fixed clock, and cheaper argon2 parameters. `demo_sign_ins` puts one-click
    sign-in buttons for demo accounts on the sign-in page (`restride serve --demo` only).
    `max_upload_bytes` caps one activity upload, all its files together. `trusted_proxies`
    (default: RESTRIDE_TRUSTED_PROXIES) are the proxies whose X-Forwarded-For is believed."""
    app = FastAPI(
        title="restride",
        summary="A pain-gated return-to-running program: today's decision, check-ins, history.",
        version="0.1.0",
        # The interactive docs pages load their scripts from a CDN; the schema is enough.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(csrf_protect)],
    )
    app.state.db = database
    app.state.today = today or default_clock()
    app.state.hasher = password_hasher or PasswordHasher()
    app.state.demo_sign_ins = list(demo_sign_ins)
    app.state.max_upload_bytes = max_upload_bytes
    app.state.trusted_proxies = (
        load_settings().proxy_networks()
        if trusted_proxies is None
        else [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
    )
    errors.install(app)

    # Before sign-in, CSRF and form parsing: every body is capped while it is read.
    app.add_middleware(
        BodyLimit,
        session_cookie=SESSION_COOKIE,
        upload_paths=(training.UPLOAD_PATH,),
        upload_bytes=max_upload_bytes,
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.url.path.startswith("/static/"):
            # Pages and API answers hold health data: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    static = resources.files("restride.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    routers = (auth, athlete, day, checkin, training, settings, exports, clinician, library)
    for module in (*routers, more, api):
        app.include_router(module.router)
    return app
