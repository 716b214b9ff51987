"""One place turns every refusal into a response: a page for people, JSON under /api.

Service errors carry a message meant for the user; anything unexpected is logged with its
traceback and answered with a plain apology, never the traceback itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from restride.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
)
from restride.storage.database import DatabaseBusyError, DatabaseError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

log = logging.getLogger("restride.web")


class WebError(Exception):
    """A refusal decided by the web layer (signed out, wrong role, bad CSRF token)."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSignedInError(WebError):
    status = 401


class WrongRoleError(WebError):
    status = 403


class CsrfError(WebError):
    status = 403


SERVICE_STATUS: dict[type[ServiceError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    InvalidInputError: 422,
    ForbiddenError: 403,
}
TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Already done",
    413: "Too large",
    422: "Please check what you entered",
    500: "Something went wrong on our side",
    503: "Busy: try again in a moment",
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    # Imported here: rendering imports deps, which imports this module.
    from restride.web.rendering import render

    title = TITLES.get(status, "That did not work")
    return render(request, "error.html", {"title": title, "message": message}, status=status)


async def _web_error(request: Request, exc: Exception) -> Response:
    exc = cast("WebError", exc)
    if isinstance(exc, NotSignedInError) and not wants_json(request):
        target = request.url.path
        return RedirectResponse(f"/signin?next={target}", status_code=303)
    return error_response(request, exc.status, exc.message)


async def _service_error(request: Request, exc: Exception) -> Response:
    exc = cast("ServiceError", exc)
    status = next((s for kind, s in SERVICE_STATUS.items() if isinstance(exc, kind)), 400)
    return error_response(request, status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    exc = cast("StarletteHTTPException", exc)
    message = {404: "There is no page here.", 405: "That cannot be done here."}.get(
        exc.status_code, str(exc.detail)
    )
    response = error_response(request, exc.status_code, message)
    for name, value in (exc.headers or {}).items():  # e.g. 405's Allow
        response.headers[name] = value
    return response


async def _invalid_request(request: Request, exc: Exception) -> Response:
    exc = cast("RequestValidationError", exc)
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', 'not valid')}")
    message = "; ".join(problems) or "the request was not understood"
    return error_response(request, 422, message)


async def _database_busy(request: Request, exc: Exception) -> Response:
    exc = cast("DatabaseBusyError", exc)
    log.warning("database busy on %s %s", request.method, request.url.path)
    response = error_response(
        request,
        503,
        "Busy with another change right now: nothing was saved. Try again in a moment.",
    )
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


async def _database_error(request: Request, exc: Exception) -> Response:
    log.error("database unusable: %s", exc)
    return error_response(request, 503, "The database is not available right now. Try again.")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "Sorry: something broke on our side. Nothing you did caused it; try again."
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(DatabaseBusyError, _database_busy)
    app.add_exception_handler(DatabaseError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
