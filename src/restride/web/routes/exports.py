"""Downloads: the athlete's calendar, watch workouts and CSV tables; a shared athlete's
printable report for their clinician; and the secret calendar-feed link a calendar app polls.

Every file is made by `services.exports`; these routes only check who asks and package it.
"""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
import io
import zipfile
from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from restride.exports import ics
from restride.services import decisions, exports
from restride.services.errors import InvalidInputError, NotFoundError
from restride.web import feeds
from restride.web.deps import CurrentAthlete, CurrentClinician, Db, SharedAthleteFor, Today
from restride.web.rendering import day_words
from restride.web.routes.settings import settings_response

router = APIRouter(include_in_schema=False)

ICS = "text/calendar; charset=utf-8"
# The report is one self-contained page with its own <style> and inline SVG charts: nothing
# else may load, and it may still not be framed.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
# Zip entries need a timestamp; a fixed one keeps the same files giving the same archive.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def download(data: bytes, name: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=media_type, headers=headers)


def zipped(files: Sequence[exports.ExportFile]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(zipfile.ZipInfo(file.name, ZIP_TIME), file.data)
    return buffer.getvalue()


# --- the athlete's own downloads ------------------------------------------------------------


def reminder_time(remind: str) -> dt.time | None:
    """`?remind=07:30` moves the daily check-in reminder; `?remind=off` leaves it out."""
    if remind == "off":
        return None
    if not remind:
        return ics.REMINDER_AT
    try:
        at = dt.time.fromisoformat(remind)
    except ValueError:
        raise InvalidInputError(
            f"remind: {remind[:20]!r} is not a time like 07:30, or off"
        ) from None
    return at.replace(second=0, microsecond=0, tzinfo=None)


@router.get("/settings/exports/plan.ics")
def calendar_file(me: CurrentAthlete, db: Db, today: Today, remind: str = "") -> Response:
    data = exports.plan_calendar(db, me.account.id, today=today, remind_at=reminder_time(remind))
    return download(data, f"restride-plan-{today.isoformat()}.ics", ICS)


@router.get("/settings/exports/workouts.zip")
def workouts_file(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    files = exports.plan_workouts(db, me.account.id, today=today)
    if not files:
        # Not an error page: the settings, saying when the workouts will be there.
        outlook = decisions.plan_ahead(db, me.account.id, today=today).outlook
        when = ""
        if outlook is not None and outlook.earliest is not None:
            when = (
                f" The walk-run phase starts {day_words(outlook.earliest, today)} at the earliest."
            )
        notice = (
            "No watch workouts yet: they are your walk-run sessions, and your plan has none in "
            f"the next 12 weeks.{when} Come back once it is less than 12 weeks away."
        )
        return settings_response(request, me, db, notice=notice)
    return download(zipped(files), f"restride-workouts-{today.isoformat()}.zip", "application/zip")


@router.get("/settings/exports/records.zip")
def records_file(me: CurrentAthlete, db: Db, today: Today) -> Response:
    files = exports.record_tables(db, me.account.id)
    return download(zipped(files), f"restride-records-{today.isoformat()}.zip", "application/zip")


# --- the calendar-feed link -----------------------------------------------------------------


@router.post("/settings/calendar-feed")
def make_feed(request: Request, me: CurrentAthlete, db: Db) -> Response:
    token = feeds.create_feed_token(db, me.account.id)
    # The page shows the link with the address the browser used (app.js); this is the fallback.
    feed_url = str(request.url_for("calendar_feed", token=token))
    feed_path = request.app.url_path_for("calendar_feed", token=token)
    return settings_response(request, me, db, feed_url=feed_url, feed_path=str(feed_path))


@router.post("/settings/calendar-feed/revoke")
def revoke_feed(me: CurrentAthlete, db: Db) -> Response:
    feeds.revoke_feed_token(db, me.account.id)
    return RedirectResponse("/settings#calendar", status_code=303)


@router.get("/calendar/{token}.ics", name="calendar_feed")
def calendar_feed(token: str, db: Db, today: Today, remind: str = "") -> Response:
    """No session: the secret in the path is the permission. Unknown or revoked is a 404."""
    athlete_id = feeds.athlete_for_feed(db, token)
    if athlete_id is None:
        raise NotFoundError("There is no calendar at this link; it may have been revoked.")
    data = exports.plan_calendar(db, athlete_id, today=today, remind_at=reminder_time(remind))
    return Response(data, media_type=ICS)


# --- a shared athlete's report, for their clinician -----------------------------------------


@router.get("/athletes/{athlete_id}/report")
def report_page(me: CurrentClinician, athlete: SharedAthleteFor, db: Db, today: Today) -> Response:
    html = exports.report_html(db, athlete.id, today=today)
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/athletes/{athlete_id}/report.pdf")
async def report_pdf(
    me: CurrentClinician, athlete: SharedAthleteFor, db: Db, today: Today
) -> Response:
    # WeasyPrint takes a moment: keep it off the event loop.
    pdf = await run_in_threadpool(exports.report_pdf, db, athlete.id, today=today)
    name = f"restride-report-{today.isoformat()}.pdf"
    return download(pdf, name, "application/pdf")
