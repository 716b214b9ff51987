"""The athlete's pages: onboarding, the plan and the history (today and the check-in have
modules of their own)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from restride.domain.anatomy import SITES
from restride.domain.case import Case, Imaging, Injury
from restride.domain.choosing import propose
from restride.loading import builtin_protocol, builtin_protocol_names
from restride.services import athletes, decisions, events, insights
from restride.services.errors import NotFoundError, ServiceError
from restride.web.deps import CurrentAthlete, Db, Today
from restride.web.history import recent_days
from restride.web.load_chart import load_data
from restride.web.rendering import render

router = APIRouter(include_in_schema=False)

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
        proposal = propose(injury, builtin_protocol_names())
        athletes.start_episode(
            db,
            me.account.id,
            injury,
            program_start=today,
            today=today,
            protocol=proposal.protocol,
        )
    except ValidationError as exc:
        context = {**onboarding_context(today, form), "error": one_line(exc)}
        return render(request, "onboarding.html", context, status=422)
    except ServiceError as exc:
        context = {**onboarding_context(today, form), "error": exc.message}
        return render(request, "onboarding.html", context, status=422)
    return see_other("/today")


# --- today, plan, history -------------------------------------------------------------------


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
        "days": recent_days(case, events.event_views(db, me.account.id, today=today)),
        "load": load_data(activities.values(), today) if activities else None,
        "load_src": "/history/load.json",
    }
    return render(request, "history.html", context)
