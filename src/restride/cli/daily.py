"""The daily workflow: init, checkin, today, plan, log, history and demo (commands on `app`).

Each command parses its input, calls a service, and prints. Bad input and every refusal end in
one `error:` line and exit code 2, with nothing written.
"""

from __future__ import annotations

import datetime as dt
import sys
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, get_args

import typer
from pydantic import ValidationError
from rich.markup import escape

from restride.cli.app import Format, app, fail, local_athlete, out
from restride.cli.app import today as current_day
from restride.cli.prompts import (
    ask_pain,
    ask_until_valid,
    choice,
    database_location,
    given_or_fail,
    imaging_parser,
    one_line,
    opened,
    past_day,
    site_id,
)
from restride.cli.render import (
    print_decision,
    print_decision_brief,
    print_history,
    print_plan,
    print_red_flags,
)
from restride.domain.anatomy import SITE_IDS, SITES
from restride.domain.case import (
    PAIN_FIELDS,
    CheckIn,
    Imaging,
    Injury,
    InjuryKind,
    Session,
    SessionKind,
    Side,
    WarmupSoreness,
)

if TYPE_CHECKING:
    from restride.storage.database import Database

AthleteOption = Annotated[
    str | None,
    typer.Option(
        "--athlete",
        metavar="EMAIL",
        help="The athlete's email; needed only when there are several.",
    ),
]
InteractiveOption = Annotated[
    bool,
    typer.Option(
        "--interactive", "-i", help="Ask the questions even when input is not a terminal."
    ),
]


def _pain_option(text: str) -> Any:
    return typer.Option(metavar="0-10", help=text, show_default=False)


def _sign_option(name: str, text: str) -> Any:
    return typer.Option(f"--{name}/--no-{name}", help=text, show_default=False)


PAIN_QUESTIONS = {
    "pain_rest": "Pain at rest",
    "pain_walking": "Pain walking",
    "pain_activity": "Pain during exercise or a session",
    "pain_after": "Pain after exercise or a session",
    "pain_next_morning": "Pain this morning, on getting up",
}
PAIN_WORDS = {
    "pain_rest": "at rest",
    "pain_walking": "walking",
    "pain_activity": "during exercise",
    "pain_after": "after exercise",
    "pain_next_morning": "on waking",
}
SIGN_QUESTIONS = {
    "limp": "Are you limping?",
    "swelling": "Any swelling?",
    "redness": "Any redness over the sore spot?",
    "night_pain": "Pain at night, waking you?",
    "bone_tenderness": "Does the bone hurt when you press on it?",
}
EMERGENCY_QUESTIONS = {
    "fever": "Fever?",
    "numbness": "Numbness or tingling?",
    "redness_spreading": "Redness that is spreading?",
    "foot_pale_or_cold": "A pale or cold foot?",
}
NO_PAIN = dict.fromkeys(PAIN_FIELDS, 0)


# --- init -------------------------------------------------------------------------------------


@app.command()
def init(
    name: Annotated[str | None, typer.Option(help="Your name.")] = None,
    email: Annotated[str | None, typer.Option(help="Your email: your account's key.")] = None,
    site: Annotated[
        str | None, typer.Option(help="Where it hurts, e.g. metatarsal_4_shaft, achilles.")
    ] = None,
    side: Annotated[
        str | None, typer.Option(metavar="left|right|both|none", help="Which side.")
    ] = None,
    kind: Annotated[
        str,
        typer.Option(metavar="|".join(get_args(InjuryKind)), help="What kind of injury, if known."),
    ] = "unknown",
    onset: Annotated[
        str | None, typer.Option(metavar="DATE", help="When it started (YYYY-MM-DD).")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="The program's first day (default: today)."),
    ] = None,
    xray_negative: Annotated[
        list[str] | None,
        typer.Option(metavar="DATE", help="An X-ray on DATE found nothing (repeatable)."),
    ] = None,
    imaging: Annotated[
        list[str] | None,
        typer.Option(
            metavar="DATE:MODALITY:RESULT",
            help="Imaging and its result, e.g. 2026-02-20:mri:positive (repeatable).",
        ),
    ] = None,
    prior_bsi: Annotated[
        bool, typer.Option("--prior-bsi", help="You have had a bone stress injury before.")
    ] = False,
    protocol: Annotated[
        str | None,
        typer.Option(
            help="The recovery program, when your clinician chose one (default: the one "
            "restride proposes for the site and kind; see `restride protocol list`)."
        ),
    ] = None,
    interactive: InteractiveOption = False,
) -> None:
    """Set up restride: the database, your account and your injury's recovery program."""
    from restride.services import athletes
    from restride.services.errors import NotFoundError

    now = current_day()
    ask = interactive or sys.stdin.isatty()
    required = {"--name": name, "--email": email, "--site": site, "--side": side, "--onset": onset}
    missing = [option for option, value in required.items() if value is None]
    if missing and not ask:
        fail(
            f"missing {', '.join(missing)} (see `restride init --help`); "
            "or run `restride init` in a terminal to be asked"
        )
    if site is None:
        out.print(f"Known sites: {', '.join(SITE_IDS)}", highlight=False)
    name = name if name is not None else ask_until_valid("Your name", str.strip)
    email = email if email is not None else ask_until_valid("Your email", str.strip)
    site = (
        given_or_fail("--site", site_id, site) if site else ask_until_valid("Injury site", site_id)
    )
    choose_side = partial(choice, choices=get_args(Side))
    side = (
        given_or_fail("--side", choose_side, side) if side else ask_until_valid("Side", choose_side)
    )
    kind = given_or_fail("--kind", partial(choice, choices=get_args(InjuryKind)), kind)
    day = past_day(now)
    onset_day = (
        given_or_fail("--onset", day, onset) if onset else ask_until_valid("When did it start", day)
    )
    start_day = given_or_fail("--start", day, start) if start else now
    if onset_day > start_day:
        fail(f"--onset: {onset_day} is after the program start ({start_day})")
    images = [
        *(
            Imaging(
                date=given_or_fail("--xray-negative", day, v), modality="xray", result="negative"
            )
            for v in xray_negative or []
        ),
        *(given_or_fail("--imaging", imaging_parser(now), v) for v in imaging or []),
    ]
    try:
        injury = Injury(
            site=site,
            side=side,  # type: ignore[arg-type]
            kind=kind,  # type: ignore[arg-type]
            onset=onset_day,
            prior_bone_stress_injury=prior_bsi,
            imaging=sorted(images, key=lambda i: i.date),
        )
    except ValidationError as exc:
        fail(one_line(exc))
    from restride.domain.choosing import propose
    from restride.loading import builtin_protocol_names

    available = builtin_protocol_names()
    proposal = propose(injury, available)
    if protocol is not None and protocol not in available:
        fail(f"--protocol: no protocol {protocol!r}; built in: {', '.join(available)}")
    chosen = protocol or proposal.protocol
    with opened(migrate=True) as db:
        try:
            account = athletes.find_account(db, email)
            created = False
        except NotFoundError:
            account = athletes.create_account(db, email=email, name=name)
            created = True
        if account.role != "athlete":
            fail(f"--email: {account.email} is a clinician account")
        athletes.start_episode(
            db, account.id, injury, program_start=start_day, today=now, protocol=chosen
        )
        location = database_location(db)
    p = out.print
    p(f"Database: {escape(location)}", highlight=False)
    verb = "Created the account" if created else "Using the existing account"
    p(f"{verb} {escape(account.name)} <{escape(account.email)}>.", highlight=False)
    p(
        f"Started the {chosen} program on {start_day} for the {SITES[site].name} "
        f"({side}), which began on {onset_day}.",
        highlight=False,
    )
    if chosen == proposal.protocol:
        p(f"Why this program: {escape(proposal.why)}", highlight=False)
    else:
        p(
            f"Chosen with --protocol; restride would have proposed {proposal.protocol}: "
            f"{escape(proposal.why)}",
            highlight=False,
        )
    p("Your clinician can change it (restride event change-protocol).", highlight=False)
    p()
    p("[bold]Next[/]")
    p(" restride checkin   how you are today: a minute, every day")
    p(" restride today     what to do today, and why")
    p(" restride plan      the weeks ahead, and what gates each phase")


# --- checkin ----------------------------------------------------------------------------------


@app.command()
def checkin(
    date: Annotated[
        str | None, typer.Option(metavar="DATE", help="The day (default: today).")
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", help="Change today's check-in; the old one is kept.")
    ] = False,
    pain_rest: Annotated[int | None, _pain_option("Pain at rest.")] = None,
    pain_walking: Annotated[int | None, _pain_option("Pain walking.")] = None,
    pain_activity: Annotated[int | None, _pain_option("Pain during exercise.")] = None,
    pain_after: Annotated[int | None, _pain_option("Pain after exercise.")] = None,
    pain_morning: Annotated[int | None, _pain_option("Pain this morning, on getting up.")] = None,
    limp: Annotated[bool | None, _sign_option("limp", "Limping.")] = None,
    swelling: Annotated[bool | None, _sign_option("swelling", "Swelling.")] = None,
    redness: Annotated[bool | None, _sign_option("redness", "Redness over the spot.")] = None,
    night_pain: Annotated[bool | None, _sign_option("night-pain", "Pain at night.")] = None,
    bone_tenderness: Annotated[
        bool | None, _sign_option("bone-tenderness", "The bone hurts when pressed.")
    ] = None,
    cannot_bear_weight: Annotated[
        bool | None,
        typer.Option(
            "--cannot-bear-weight/--can-bear-weight",
            help="You cannot put full weight on it.",
            show_default=False,
        ),
    ] = None,
    fever: Annotated[bool | None, _sign_option("fever", "Fever.")] = None,
    numbness: Annotated[bool | None, _sign_option("numbness", "Numbness or tingling.")] = None,
    redness_spreading: Annotated[
        bool | None, _sign_option("redness-spreading", "Redness that is spreading.")
    ] = None,
    pale_cold_foot: Annotated[
        bool | None, _sign_option("pale-cold-foot", "A pale or cold foot.")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Anything else worth noting.")] = None,
    athlete: AthleteOption = None,
    interactive: InteractiveOption = False,
) -> None:
    """Record how you are today. With no symptom options, asks (Enter keeps the default).

    From a script, pass the answers as options. A pain score left out is stored as not
    asked, which never counts as pain-free; with --edit, what is left out stays as it was.
    """
    from restride.loading import builtin_protocol
    from restride.services import checkins, decisions

    now = current_day()
    day = given_or_fail("--date", past_day(now), date) if date else now
    options: dict[str, Any] = {
        "pain_rest": pain_rest,
        "pain_walking": pain_walking,
        "pain_activity": pain_activity,
        "pain_after": pain_after,
        "pain_next_morning": pain_morning,
        "limp": limp,
        "swelling": swelling,
        "redness": redness,
        "night_pain": night_pain,
        "bone_tenderness": bone_tenderness,
        "can_bear_weight": None if cannot_bear_weight is None else not cannot_bear_weight,
        "fever": fever,
        "numbness": numbness,
        "redness_spreading": redness_spreading,
        "foot_pale_or_cold": pale_cold_foot,
    }
    given = {field: value for field, value in options.items() if value is not None}
    ask = interactive or (not given and sys.stdin.isatty())
    if not given and not ask:
        fail(
            "no answers given: pass them as options, e.g. --pain-walking 0 --no-limp "
            "(see `restride checkin --help`), or run it in a terminal to be asked"
        )
    if notes is not None:
        given["notes"] = notes
    try:
        CheckIn(date=day, **given)  # bad values first, before the database is asked anything
    except ValidationError as exc:
        fail(one_line(exc))
    with opened() as db:
        account = local_athlete(db, athlete)
        answers = {**_checkin_on(db, account.id, day, now, edit=edit), **given}
        if ask:
            answers = _ask_checkin(day, {**NO_PAIN, **answers})
        entry = CheckIn(date=day, **answers)
        recorded = checkins.record_checkin(db, account.id, entry, today=now, edit=edit)
        decision = decisions.todays_decision(db, account.id, today=now)
    protocol = builtin_protocol(decision.protocol)
    edited = f" (version {recorded.version})" if recorded.version > 1 else ""
    out.print(f"Saved the check-in for {day}{edited}.", highlight=False)
    if recorded.red_flags:
        out.print()
        print_red_flags(out, recorded.red_flags, protocol)
    not_asked = [PAIN_WORDS[f] for f in PAIN_FIELDS if getattr(entry, f) is None]
    if not_asked:
        out.print(
            f"[dim]Pain not given, so not counted as pain-free: {', '.join(not_asked)}.[/]",
            highlight=False,
        )
    out.print()
    print_decision_brief(out, decision)
    out.print("[dim]`restride today` gives the reasons and today's plan in full.[/]")


def _checkin_on(
    db: Database, athlete_id: str, day: dt.date, now: dt.date, *, edit: bool
) -> dict[str, Any]:
    """The day's answers so far (for --edit), refusing up front what the service would refuse."""
    from restride.services import decisions

    case = decisions.stored_case(db, athlete_id, now)
    if day < case.program_start:
        fail(f"--date: {day} is before the program began ({case.program_start})")
    current = next((c for c in case.checkins if c.date == day), None)
    if current is not None and not edit:
        fail(f"--date: there is already a check-in for {day}; use --edit to change today's")
    if current is None and edit:
        fail(f"--date: there is no check-in for {day} to edit")
    if current is not None and day != now:
        fail(f"--date: the check-in for {day} can no longer be changed; only today's can")
    return current.model_dump(exclude={"date"}) if current else {}


def _ask_checkin(day: dt.date, base: dict[str, Any]) -> dict[str, Any]:
    out.print(f"[bold]Check-in for {day}[/]: press Enter to keep the answer in brackets.")
    answers: dict[str, Any] = {}
    for field, question in PAIN_QUESTIONS.items():
        answers[field] = ask_pain(question, base[field] or 0)
    for field, question in SIGN_QUESTIONS.items():
        answers[field] = typer.confirm(question, default=bool(base.get(field)))
    answers["can_bear_weight"] = typer.confirm(
        "Can you put your full weight on it?", default=base.get("can_bear_weight", True)
    )
    emergency = any(base.get(f) for f in EMERGENCY_QUESTIONS)
    if typer.confirm(
        "Any fever, numbness or tingling, spreading redness, or a pale or cold foot?",
        default=emergency,
    ):
        for field, question in EMERGENCY_QUESTIONS.items():
            answers[field] = typer.confirm(question, default=bool(base.get(field)))
    answers["notes"] = typer.prompt(
        "Notes (Enter for none)",
        default=base.get("notes", ""),
        show_default=bool(base.get("notes")),
    )
    return answers


# --- today, plan ------------------------------------------------------------------------------


@app.command("today")
def today_command(
    athlete: AthleteOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="text (default) or json.")] = Format.text,
) -> None:
    """Today's decision in plain words: the phase, what to do, and every reason why."""
    from restride.services import decisions

    with opened() as db:
        account = local_athlete(db, athlete)
        decision = decisions.todays_decision(db, account.id, today=current_day())
    if fmt is Format.json:
        sys.stdout.write(decision.model_dump_json(indent=2) + "\n")
    else:
        print_decision(out, decision)


@app.command()
def plan(
    weeks: Annotated[int, typer.Option(help="How many weeks ahead, 1-52.")] = 12,
    athlete: AthleteOption = None,
) -> None:
    """The coming weeks as far as the criteria allow, and what gates each phase."""
    from restride.loading import builtin_protocol
    from restride.services import decisions

    if not 1 <= weeks <= 52:
        fail(f"--weeks: must be 1-52 (got {weeks})")
    with opened() as db:
        account = local_athlete(db, athlete)
        ahead = decisions.plan_ahead(db, account.id, today=current_day(), weeks=weeks)
    print_plan(out, ahead, builtin_protocol(ahead.today.protocol), weeks)


# --- log, history -----------------------------------------------------------------------------


@app.command()
def log(
    kind: Annotated[
        str,
        typer.Option(metavar="KIND", help=f"What you did: {', '.join(get_args(SessionKind))}."),
    ],
    minutes: Annotated[
        float | None, typer.Option(help="Minutes done (needed unless --kind test).")
    ] = None,
    planned: Annotated[float | None, typer.Option(help="Minutes the plan asked for.")] = None,
    date: Annotated[
        str | None, typer.Option(metavar="DATE", help="The day (default: today).")
    ] = None,
    pain_during: Annotated[int | None, _pain_option("Pain during it (left out: none).")] = None,
    pain_after: Annotated[int | None, _pain_option("Pain after it (left out: none).")] = None,
    rpe: Annotated[int | None, typer.Option(metavar="0-10", help="How hard it felt.")] = None,
    warmup_soreness: Annotated[
        str,
        typer.Option(
            metavar="none|settled|persisted",
            help="Soreness at the start: none, settled as you warmed up, or persisted.",
        ),
    ] = "none",
    test: Annotated[
        str | None, typer.Option(metavar="ID", help="Which test, with --kind test.")
    ] = None,
    run_min: Annotated[float | None, typer.Option(help="Minutes actually running.")] = None,
    minimalist_min: Annotated[
        float | None, typer.Option(help="Minutes in minimalist shoes.")
    ] = None,
    phase: Annotated[
        str | None, typer.Option(help="The phase it belongs to (default: that day's).")
    ] = None,
    notes: Annotated[str, typer.Option(help="Anything worth noting.")] = "",
    athlete: AthleteOption = None,
) -> None:
    """Log a session you did, or a criterion test (its pain scores are its result)."""
    from restride.loading import builtin_protocol
    from restride.services import decisions, sessions

    now = current_day()
    kind = given_or_fail("--kind", partial(choice, choices=get_args(SessionKind)), kind)
    soreness = get_args(WarmupSoreness)
    warmup_soreness = given_or_fail(
        "--warmup-soreness", partial(choice, choices=soreness), warmup_soreness
    )
    day = given_or_fail("--date", past_day(now), date) if date else now
    if minutes is None and kind != "test":
        fail("--minutes: how many minutes? (needed unless --kind test)")
    with opened() as db:
        account = local_athlete(db, athlete)
        decision = decisions.todays_decision(db, account.id, today=now)
        protocol = builtin_protocol(decision.protocol)
        if phase is None:
            phase = next(
                (s.phase for s in decision.phase_history if s.start <= day <= (s.end or now)),
                decision.phase,
            )
        given_or_fail(
            "--phase", partial(choice, choices=tuple(p.id for p in protocol.phases)), phase
        )
        if test is not None:
            given_or_fail("--test", partial(choice, choices=tuple(protocol.library.tests())), test)
        session = Session(
            date=day,
            phase=phase,
            kind=kind,  # type: ignore[arg-type]
            planned_min=planned,
            done_min=minutes,
            pain_during=pain_during,
            pain_after=pain_after,
            rpe=rpe,
            warmup_soreness=warmup_soreness,  # type: ignore[arg-type]
            test=test,
            run_min=run_min,
            minimalist_min=minimalist_min,
            notes=notes,
        )
        sessions.log_session(db, account.id, session, today=now)
        decision = decisions.todays_decision(db, account.id, today=now)
    what = f"test {test}" if kind == "test" else kind.replace("_", " ")
    length = f", {minutes:g} min" if minutes is not None else ""
    out.print(f"Logged {what}{length} on {day} (phase {phase}).", highlight=False)
    out.print()
    print_decision_brief(out, decision)


@app.command()
def history(
    days: Annotated[int, typer.Option(help="How many days back, today included.")] = 28,
    athlete: AthleteOption = None,
) -> None:
    """Your recent days: check-ins, signs, sessions, clinician events and the phase."""
    from restride.services import day as day_service

    if days < 1:
        fail(f"--days: must be at least 1 (got {days})")
    now = current_day()
    with opened() as db:
        account = local_athlete(db, athlete)
        composed = day_service.athlete_day(db, account.id, today=now)
    case, decision = composed.case, composed.decision
    first = max(case.program_start, now - dt.timedelta(days=days - 1))
    injury = case.injury
    out.print(
        f"[bold]{escape(account.name)}[/]: {SITES[injury.site].name} ({injury.side}), "
        f"since {injury.onset}; program started {case.program_start}.",
        highlight=False,
    )
    print_history(out, case, decision, first)


# --- demo -------------------------------------------------------------------------------------


@app.command()
def demo(
    force: Annotated[
        bool, typer.Option("--force", help="Replace the demo runner, starting again today.")
    ] = False,
) -> None:
    """Load the seed's runner C: a 4th metatarsal injury, with today as day 1 of the program."""
    from restride.services import athletes
    from restride.services import demo as demo_service

    with opened(migrate=True) as db:
        loaded = demo_service.load_seed_runner(db, today=current_day(), replace=force)
        several = len(athletes.list_accounts(db, role="athlete")) > 1
        location = database_location(db)
    email = loaded.athlete.email
    suffix = f" --athlete {email}" if several else ""
    if not loaded.created:
        out.print(
            f"The demo runner is already loaded ({email}); nothing changed. "
            "`restride demo --force` loads it again with today as day 1.",
            highlight=False,
        )
        return
    case = loaded.case
    verb = "Reloaded" if loaded.replaced else "Loaded"
    out.print(f"{verb} the seed's runner: {loaded.athlete.name} <{email}>.", highlight=False)
    out.print(f"Database: {escape(location)}", highlight=False)
    out.print(
        f"{SITES[case.injury.site].name} ({case.injury.side}), sore since {case.injury.onset}; "
        f"an X-ray found nothing; today, {case.today}, is day 1 of the program, with walking "
        "pain, a limp and a red spot that hurts when pressed.",
        highlight=False,
    )
    out.print()
    out.print("[bold]Next[/]")
    out.print(f" restride today{suffix}     what C should do today, and why", highlight=False)
    out.print(f" restride plan{suffix}      the weeks ahead", highlight=False)
    out.print(f" restride history{suffix}   the days so far", highlight=False)
