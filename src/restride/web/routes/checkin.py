"""The daily check-in: pain, then the signs, each answered yes or no by the runner.

Nothing is answered in advance: a red-flag question left at a default "no" would be a red flag
missed. What can be skipped (pain during and after exercise, on a day without any) is grouped
and says so.
"""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from restride.domain.case import CheckIn
from restride.services import checkins
from restride.services.errors import ServiceError
from restride.web.deps import CurrentAthlete, Db, Today
from restride.web.rendering import render
from restride.web.routes.athlete import one_line, stored_case

router = APIRouter(include_in_schema=False)

# Asked every day.
DAILY_PAIN = ("pain_rest", "pain_walking", "pain_next_morning")
# Asked only after exercise: the group a runner skips on a day without any.
EXERCISE_PAIN = ("pain_activity", "pain_after")
SIGNS = {
    "limp": "Are you limping?",
    "can_bear_weight": "Can you put full weight on it?",
    "bone_tenderness": "Does the bone hurt when pressed?",
    "swelling": "Any swelling?",
    "redness": "Any redness over the sore spot?",
    "night_pain": "Pain at night that wakes you?",
}
# The rare emergency signs (RF-4): one question, then which of them.
EMERGENCY = "emergency"
EMERGENCY_QUESTION = "Fever, numbness or tingling, spreading redness, or a pale or cold foot?"
EMERGENCY_SIGNS = {
    "fever": "Fever",
    "numbness": "Numbness or tingling",
    "redness_spreading": "Redness that is spreading",
    "foot_pale_or_cold": "A pale or cold foot",
}
MAX_NOTES = 2000


def unanswered() -> dict[str, Any]:
    """A new check-in: every answer still to be given."""
    values: dict[str, Any] = dict.fromkeys((*DAILY_PAIN, *EXERCISE_PAIN, *SIGNS, EMERGENCY))
    values.update(dict.fromkeys(EMERGENCY_SIGNS, False))
    values["notes"] = ""
    return values


def answered(checkin: CheckIn) -> dict[str, Any]:
    """Today's saved check-in, to change: the runner's own answers, all of them."""
    values = checkin.model_dump()
    values[EMERGENCY] = any(values[s] for s in EMERGENCY_SIGNS)
    return values


def context(values: Mapping[str, Any], editing: bool, **extra: object) -> dict[str, object]:
    return {
        "values": values,
        "editing": editing,
        "daily_pain": DAILY_PAIN,
        "exercise_pain": EXERCISE_PAIN,
        "signs": SIGNS,
        "emergency_question": EMERGENCY_QUESTION,
        "emergency_signs": EMERGENCY_SIGNS,
        **extra,
    }


def read_answers(form: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The answers in the form, and the questions it left unanswered, in words."""
    values = unanswered()
    values["notes"] = str(form.get("notes", ""))[:MAX_NOTES]
    for field in (*DAILY_PAIN, *EXERCISE_PAIN):
        raw = str(form.get(field, "")).strip()
        values[field] = None if raw in ("", "skip") else raw
    missing = [PAIN_QUESTIONS[f] for f in DAILY_PAIN if values[f] is None]
    for field, question in {**SIGNS, EMERGENCY: EMERGENCY_QUESTION}.items():
        raw = str(form.get(field, ""))
        if raw in ("yes", "no"):
            values[field] = raw == "yes"
        else:
            missing.append(question)
    if values[EMERGENCY]:
        chosen = form.getlist("which") if hasattr(form, "getlist") else []
        for sign in EMERGENCY_SIGNS:
            values[sign] = sign in chosen
        if not any(values[s] for s in EMERGENCY_SIGNS):
            missing.append("Which of fever, numbness, spreading redness or a pale or cold foot?")
    return values, missing


PAIN_QUESTIONS = {
    "pain_rest": "Pain at rest",
    "pain_walking": "Pain walking",
    "pain_next_morning": "Pain on waking",
}


@router.get("/checkin")
def checkin_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    case = stored_case(db, me.account.id, today)
    if case is None:
        return RedirectResponse("/onboarding", status_code=303)
    existing = next((c for c in case.checkins if c.date == today), None)
    values = answered(existing) if existing else unanswered()
    return render(request, "checkin.html", context(values, existing is not None))


@router.post("/checkin")
async def checkin_submit(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    # Async only to read the whole form at once; the service call runs in a thread below.
    form = await request.form()
    values, missing = read_answers(form)
    editing = str(form.get("edit", "")) == "1"
    if missing:
        error = "please answer every question; still open: " + "; ".join(missing)
        return render(request, "checkin.html", context(values, editing, error=error), status=422)
    fields = {k: v for k, v in values.items() if k != EMERGENCY}
    try:
        checkin = CheckIn.model_validate({**fields, "date": today})
        await run_in_threadpool(
            checkins.record_checkin, db, me.account.id, checkin, today=today, edit=editing
        )
    except ValidationError as exc:
        return render(
            request, "checkin.html", context(values, editing, error=one_line(exc)), status=422
        )
    except ServiceError as exc:
        return render(
            request, "checkin.html", context(values, editing, error=exc.message), status=409
        )
    return RedirectResponse("/today?saved=1", status_code=303)
