"""The athlete's pages: onboarding, today, check-in, plan and history."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from restride.domain.anatomy import SITES
from restride.domain.case import PAIN_FIELDS, Case, CheckIn, Imaging, Injury
from restride.domain.decide import decide
from restride.loading import builtin_protocol
from restride.services import athletes, checkins, decisions, insights
from restride.services.errors import NotFoundError, ServiceError
from restride.web.deps import CurrentAthlete, Db, Today
from restride.web.load_chart import load_data
from restride.web.rendering import render

router = APIRouter(include_in_schema=False)

SIGNS = {
    "limp": "Are you limping?",
    "swelling": "Any swelling?",
    "redness": "Any redness over the sore spot?",
    "night_pain": "Pain at night that wakes you?",
    "bone_tenderness": "Does the bone hurt when you press on it?",
    "can_bear_weight": "Can you put your full weight on it?",
    "fever": "Fever?",
    "numbness": "Numbness or tingling?",
    "redness_spreading": "Redness that is spreading?",
    "foot_pale_or_cold": "A pale or cold foot?",
}
# Asked every day; the others may be skipped on a day without exercise.
REQUIRED_PAIN = ("pain_rest", "pain_walking", "pain_next_morning")
IMAGING_ROWS = 3


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def one_line(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
    )


def stored_case(db: Db, athlete_id: str, today: dt.date) -> Case | None:
    """The athlete's record up to today, or None before onboarding."""
    try:
        return decisions.stored_case(db, athlete_id, today)
    except NotFoundError:
        return None


# --- onboarding -----------------------------------------------------------------------------


def onboarding_context(today: dt.date, form: Mapping[str, object]) -> dict[str, object]:
    return {
        "sites": sorted(SITES.values(), key=lambda s: s.name.lower()),
        "today": today,
        "form": form,
        "imaging_rows": IMAGING_ROWS,
    }


@router.get("/onboarding")
def onboarding_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    if stored_case(db, me.account.id, today) is not None:
        return see_other("/today")
    return render(request, "onboarding.html", onboarding_context(today, {}))


@router.post("/onboarding")
def onboard(
    request: Request,
    me: CurrentAthlete,
    db: Db,
    today: Today,
    site: Annotated[str, Form()],
    side: Annotated[str, Form()],
    onset: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "unknown",
    prior_bsi: Annotated[str, Form()] = "",
    imaging_date: Annotated[list[str] | None, Form()] = None,
    imaging_modality: Annotated[list[str] | None, Form()] = None,
    imaging_result: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"site": site, "side": side, "kind": kind, "onset": onset, "prior_bsi": prior_bsi}
    rows = zip(imaging_date or [], imaging_modality or [], imaging_result or [], strict=False)
    try:
        imaging = [
            Imaging.model_validate({"date": d, "modality": m, "result": r})
            for d, m, r in rows
            if d.strip()
        ]
        injury = Injury.model_validate(
            {
                "site": site,
                "side": side,
                "kind": kind,
                "onset": onset,
                "prior_bone_stress_injury": prior_bsi == "yes",
                "imaging": sorted(imaging, key=lambda i: i.date),
            }
        )
        athletes.start_episode(db, me.account.id, injury, program_start=today, today=today)
    except ValidationError as exc:
        context = {**onboarding_context(today, form), "error": one_line(exc)}
        return render(request, "onboarding.html", context, status=422)
    except ServiceError as exc:
        context = {**onboarding_context(today, form), "error": exc.message}
        return render(request, "onboarding.html", context, status=422)
    return see_other("/today")


# --- today, plan, history -------------------------------------------------------------------


@router.get("/today")
def today_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    case = stored_case(db, me.account.id, today)
    if case is None:
        return see_other("/onboarding")
    decision = decide(builtin_protocol(case.protocol), case)
    checked_in = any(c.date == today for c in case.checkins)
    recent = [e for e in case.clinician_events if (today - e.date).days < 28]
    context = {
        "decision": decision,
        "checked_in": checked_in,
        "events": list(reversed(recent)),
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "today.html", context)


@router.get("/plan")
def plan_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    if stored_case(db, me.account.id, today) is None:
        return see_other("/onboarding")
    plan = decisions.plan_ahead(db, me.account.id, today=today, weeks=12)
    protocol = builtin_protocol(plan.today.protocol)
    titles = {p.id: p.title for p in protocol.phases}
    return render(request, "plan.html", {"plan": plan, "titles": titles})


@router.get("/history")
def history_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    case = stored_case(db, me.account.id, today)
    if case is None:
        return see_other("/onboarding")
    with db.transaction() as tx:
        activities, _shoes = insights.history(tx, me.account.id)
    context = {
        "case": case,
        "chart_src": "/api/history",
        "days": recent_days(case),
        "load": load_data(activities.values(), today) if activities else None,
        "load_src": "/history/load.json",
    }
    return render(request, "history.html", context)


def recent_days(case: Case, days: int = 28) -> list[dict[str, Any]]:
    """Newest first: each day's check-in, sessions and clinician events, for the table."""
    checkins_by_day = {c.date: c for c in case.checkins}
    first = max(case.program_start, case.today - dt.timedelta(days=days - 1))
    out: list[dict[str, Any]] = []
    day = case.today
    while day >= first:
        out.append(
            {
                "date": day,
                "checkin": checkins_by_day.get(day),
                "sessions": [s for s in case.sessions if s.date == day],
                "events": [e for e in case.clinician_events if e.date == day],
            }
        )
        day -= dt.timedelta(days=1)
    return out


# --- check-in -------------------------------------------------------------------------------


def checkin_context(today: dt.date, values: dict[str, object], editing: bool) -> dict[str, object]:
    return {
        "today": today,
        "values": values,
        "editing": editing,
        "pain_fields": PAIN_FIELDS,
        "required_pain": REQUIRED_PAIN,
        "signs": SIGNS,
    }


@router.get("/checkin")
def checkin_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    case = stored_case(db, me.account.id, today)
    if case is None:
        return see_other("/onboarding")
    existing = next((c for c in case.checkins if c.date == today), None)
    values = existing.model_dump() if existing else CheckIn(date=today).model_dump()
    return render(request, "checkin.html", checkin_context(today, values, existing is not None))


@router.post("/checkin")
async def checkin_submit(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    # Async only to read the whole form at once; the service call runs in a thread below.
    form = await request.form()
    values: dict[str, object] = {"date": today, "notes": str(form.get("notes", ""))[:2000]}
    for field in PAIN_FIELDS:
        raw = str(form.get(field, "")).strip()
        values[field] = None if raw in ("", "skip") else raw
    for sign in SIGNS:
        # A sign left out keeps the check-in's default (not present; can bear weight).
        if sign in form:
            values[sign] = str(form.get(sign)) == "yes"
    editing = str(form.get("edit", "")) == "1"
    try:
        checkin = CheckIn.model_validate(values)
        await run_in_threadpool(
            checkins.record_checkin, db, me.account.id, checkin, today=today, edit=editing
        )
    except ValidationError as exc:
        context = {**checkin_context(today, values, editing), "error": one_line(exc)}
        return render(request, "checkin.html", context, status=422)
    except ServiceError as exc:
        context = {**checkin_context(today, values, editing), "error": exc.message}
        return render(request, "checkin.html", context, status=409)
    return see_other("/today?saved=1")
