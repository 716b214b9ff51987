"""The athlete's training history: upload activity files, list them and look at one; the
post-mortem of the episode's onset; shoes (issue 5)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import re
import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from restride.domain.activity import Activity
from restride.domain.load import activity_km, activity_minutes
from restride.services import imports, insights, shoes
from restride.services.errors import NotFoundError, ServiceError
from restride.services.imports import ImportReport
from restride.web.deps import CurrentAthlete, Db, Today
from restride.web.load_chart import load_data
from restride.web.rendering import render, words

if TYPE_CHECKING:
    from restride.domain.findings import Finding

router = APIRouter(include_in_schema=False)

UPLOAD_PATH = "/activities"
# The most one upload may hold, all files together; a whole Strava export fits in this.
DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_FILES = 50
CHUNK = 1024 * 1024
# Uploads past this size (a Strava or Garmin export) are imported by a background worker while
# the page shows how far it has got; smaller ones are imported before the page answers.
BACKGROUND_BYTES = 8 * 1024 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
STATUS_WORDS = {
    "imported": "Imported",
    "duplicate": "Already here",
    "skipped": "Skipped",
    "failed": "Failed",
}


class UploadTooLargeError(Exception):
    pass


def max_upload_bytes(request: Request) -> int:
    limit: int = getattr(request.app.state, "max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES)
    return limit


def too_large_message(limit: int) -> str:
    return (
        f"That upload is too large: the limit is {limit / 1024 / 1024:.0f} MB for all files"
        " together. Upload the files in smaller batches, or a smaller zip."
    )


def safe_name(name: str, index: int) -> str:
    """The uploaded file's own name, without folders or odd characters (the import reads the
    kind of file from its name: .fit, .gpx, .tcx, .gz, .zip)."""
    base = SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip("._")[:100]
    return f"{index:02d}-{base or 'upload'}"


def shown_source(source: str, folder: str) -> str:
    """A source without the temporary folder the upload was written to."""
    prefix = folder.rstrip("/") + "/"
    if source.startswith(prefix):
        source = source[len(prefix) :]
        first, sep, rest = source.partition("-")
        if sep and first.isdigit():
            source = rest
    return source


def shown_stored_source(source: str) -> str:
    """A stored activity's source as its file name (and archive member)."""
    head, sep, member = source.partition("!")
    name = head.rsplit("/", 1)[-1]
    first, dash, rest = name.partition("-")
    if dash and first.isdigit() and len(first) == 2:
        name = rest
    return f"{name}{sep}{member}"


async def save_uploads(files: list[UploadFile], folder: Path, limit: int) -> list[str]:
    """Each upload copied to `folder` a chunk at a time (Starlette has already spooled large
    ones to disk), refusing once the total passes `limit`."""
    total = 0
    paths = []
    for index, upload in enumerate(files):
        path = folder / safe_name(upload.filename or "", index)
        with path.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise UploadTooLargeError(too_large_message(limit))
                out.write(chunk)
        paths.append(str(path))
    return paths


def report_rows(report: ImportReport, folder: str) -> list[dict[str, Any]]:
    return [
        {
            "source": shown_source(f.source, folder),
            "status": f.status,
            "status_words": STATUS_WORDS[f.status],
            "reason": f.reason,
            "activities": f.activities,
            "partial": f.partial,
            "warnings": f.warnings,
        }
        for f in report.files
    ]


def minutes_words(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def activity_row(activity_id: str, a: Activity) -> dict[str, Any]:
    minutes = activity_minutes(a)
    km = activity_km(a)
    return {
        "id": activity_id,
        "start": a.start,
        "date": a.start.date(),
        "sport": words(a.sport),
        "sub_sport": words(a.sub_sport) if a.sub_sport else "",
        "name": a.name or "",
        "duration": minutes_words(minutes) if minutes else "",
        "distance": f"{km:.2f} km" if km else "",
        "shoe": a.gear or "",
        "partial": a.partial,
    }


def athlete_activities(db: Db, athlete_id: str) -> dict[str, Activity]:
    with db.read() as tx:
        found, _shoes = insights.history(tx, athlete_id)
    return found


def activities_context(db: Db, athlete_id: str) -> dict[str, Any]:
    found = athlete_activities(db, athlete_id)
    rows = [activity_row(i, a) for i, a in found.items()]
    rows.sort(key=lambda r: r["start"], reverse=True)
    return {"activities": rows, "max_files": MAX_FILES}


@router.get("/activities")
def activities_page(request: Request, me: CurrentAthlete, db: Db) -> Response:
    context = {
        **activities_context(db, me.account.id),
        "limit_mb": max_upload_bytes(request) // (1024 * 1024),
    }
    return render(request, "activities.html", context)


@router.post("/activities")
async def upload_activities(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    limit = max_upload_bytes(request)
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    error = ""
    rows: list[dict[str, Any]] | None = None
    findings: list[Finding] = []
    status = 200
    if not files:
        error, status = "Choose one or more activity files (.fit, .gpx, .tcx, .gz or .zip).", 422
    elif len(files) > MAX_FILES:
        error, status = f"At most {MAX_FILES} files at once; a zip can hold more.", 422
    else:
        with tempfile.TemporaryDirectory(prefix="restride-upload-") as folder:
            try:
                paths = await save_uploads(files, Path(folder), limit)
            except UploadTooLargeError as exc:
                error, status = str(exc), 413
            else:
                if in_background(paths):
                    job_id = await run_in_threadpool(import_later, db, me.account.id, paths)
                    return RedirectResponse(f"/activities/jobs/{job_id}", status_code=303)
                report = await run_in_threadpool(
                    partial(
                        imports.import_paths,
                        workers=1,
                        shown_source=partial(shown_source, folder=folder),
                    ),
                    db,
                    me.account.id,
                    paths,
                )
                rows = report_rows(report, folder)
                findings = await run_in_threadpool(
                    insights.new_activity_warnings,
                    db,
                    me.account.id,
                    report.new_activity_ids,
                    today=today,
                )
    context = {
        **activities_context(db, me.account.id),
        "limit_mb": limit // (1024 * 1024),
        "report": rows,
        "findings": findings,
        "error": error,
    }
    return render(request, "activities.html", context, status=status)


def in_background(paths: list[str]) -> bool:
    return sum(Path(p).stat().st_size for p in paths) > BACKGROUND_BYTES


def import_later(db: Db, athlete_id: str, paths: list[str]) -> str:
    """An import job for a worker: the files moved into the job's folder, then queued."""
    from restride import jobs as job_queue
    from restride.services import jobs
    from restride.settings import load_settings

    names = [Path(p).name for p in paths]
    job = jobs.create(db, "import", athlete_id=athlete_id, params={"files": names})
    folder = job_queue.job_folder(load_settings(), job.id)
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.move(path, folder / Path(path).name)
    job_queue.enqueue(db, job.id)
    return job.id


@router.get("/activities/jobs/{job_id}")
def import_job_page(request: Request, me: CurrentAthlete, db: Db, job_id: str) -> Response:
    """How far a background import has got; the page asks again every second until it is done."""
    from restride.services import jobs

    try:
        job = jobs.status(db, job_id, athlete_id=me.account.id)
    except NotFoundError:
        raise NotFoundError("You have no import with that link.") from None
    rows = [{**f, "status_words": STATUS_WORDS[f["status"]]} for f in job.result.get("files", [])]
    context = {"job": job, "report": rows if job.finished else None}
    fragment = request.headers.get("hx-request") == "true"
    return render(request, "_import_job.html" if fragment else "import_job.html", context)


@router.get("/activities/{activity_id}")
def activity_page(request: Request, me: CurrentAthlete, db: Db, activity_id: str) -> Response:
    activity = athlete_activities(db, me.account.id).get(activity_id)
    if activity is None:
        raise NotFoundError("You have no activity with that link.")
    context = {
        "a": activity,
        "row": activity_row(activity_id, activity),
        "source": shown_stored_source(activity.source),
    }
    return render(request, "activity.html", context)


@router.get("/history/load.json")
def load_json(me: CurrentAthlete, db: Db, today: Today) -> dict[str, Any]:
    """Weekly load for the history page's charts."""
    return load_data(athlete_activities(db, me.account.id).values(), today)


# --- insights -------------------------------------------------------------------------------


@router.get("/insights")
def insights_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    result = insights.injury_post_mortem(db, me.account.id, today=today)
    has_history = bool(athlete_activities(db, me.account.id))
    return render(request, "insights.html", {"result": result, "has_history": has_history})


# --- shoes ----------------------------------------------------------------------------------

SHOE_FIELDS = ("weight_g", "stack_mm", "drop_mm", "flexibility", "motion_control")


def shoes_context(db: Db, athlete_id: str) -> dict[str, Any]:
    return {"shoes": shoes.list_shoes(db, athlete_id), "form": {}}


@router.get("/shoes")
def shoes_page(request: Request, me: CurrentAthlete, db: Db) -> Response:
    context = {**shoes_context(db, me.account.id), "saved": request.query_params.get("saved")}
    return render(request, "shoes.html", context)


def _number(raw: str, field: str, whole: bool) -> float | int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{words(field)}: {kind}, please (got {raw[:20]!r})") from None


@router.post("/shoes")
def describe_shoe(
    request: Request,
    me: CurrentAthlete,
    db: Db,
    name: Annotated[str, Form(max_length=200)],
    weight_g: Annotated[str, Form(max_length=20)] = "",
    stack_mm: Annotated[str, Form(max_length=20)] = "",
    drop_mm: Annotated[str, Form(max_length=20)] = "",
    flexibility: Annotated[str, Form(max_length=20)] = "",
    motion_control: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    raw = {
        "weight_g": weight_g,
        "stack_mm": stack_mm,
        "drop_mm": drop_mm,
        "flexibility": flexibility,
        "motion_control": motion_control,
    }
    try:
        figures = {
            field: _number(value, field, field in ("flexibility", "motion_control"))
            for field, value in raw.items()
        }
        shoes.describe_shoe(db, me.account.id, name, **figures)  # type: ignore[arg-type]
    except (ValueError, ServiceError) as exc:
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        context = {
            **shoes_context(db, me.account.id),
            "form": {"name": name, **raw},
            "error": message,
        }
        return render(request, "shoes.html", context, status=422)
    return RedirectResponse("/shoes?saved=1", status_code=303)
