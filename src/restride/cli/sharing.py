"""Sharing with a therapist, clinician events and closing an episode (commands on `app`).

Each command parses its input, calls a service, and prints. Bad input and every refusal end in
one `error:` line and exit code 2, with nothing written.
"""

from __future__ import annotations

import sys
from functools import partial
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape

from restride.cli.app import app, fail, local_athlete, out
from restride.cli.app import today as current_day
from restride.cli.daily import AthleteOption
from restride.cli.prompts import choice, given_or_fail, imaging_parser, one_line, opened, past_day
from restride.cli.render import print_decision_brief
from restride.domain.anatomy import SITES
from restride.domain.case import ClinicianEvent

clinician_app = typer.Typer(help="Clinician accounts on a clinic's install.", no_args_is_help=True)
app.add_typer(clinician_app, name="clinician")
episode_app = typer.Typer(help="Your injury episode.", no_args_is_help=True)
app.add_typer(episode_app, name="episode")
imaging_app = typer.Typer(help="Imaging of the current injury.", no_args_is_help=True)
app.add_typer(imaging_app, name="imaging")

# What the runner types, and the kind of event it is stored as.
EVENT_KINDS = {
    "clear": "clear",
    "hold": "hold",
    "release": "release_hold",
    "note": "note",
    "set-minimum": "set_minimum",
    "skip-week": "skip_week",
    "add-gate": "add_gate",
    "change-protocol": "change_protocol",
}
EVENT_WORDS = {
    "clear": "cleared you",
    "hold": "put a hold on your progress",
    "release": "released the hold",
    "note": "noted",
    "set-minimum": "changed a phase's minimum",
    "skip-week": "skipped a week",
    "add-gate": "asked to clear you before a phase",
    "change-protocol": "changed your program",
}
MODALITY_WORDS = {"xray": "X-ray", "mri": "MRI", "ct": "CT", "bone_scan": "bone scan"}  # else as is


def in_terminal() -> bool:
    return sys.stdin.isatty()


# --- share, unshare, clinician add ------------------------------------------------------------


@app.command()
def share(
    clinician_email: Annotated[
        str, typer.Argument(metavar="CLINICIAN_EMAIL", help="Your clinician's account email.")
    ],
    athlete: AthleteOption = None,
) -> None:
    """Let a clinician see your record and record their decisions (until `restride unshare`)."""
    from restride.services import athletes, sharing

    with opened() as db:
        account = local_athlete(db, athlete)
        sharing.share_with(db, account.id, clinician_email)
        clinician = athletes.find_account(db, clinician_email)
    out.print(
        f"Shared {escape(account.name)}'s record with {escape(clinician.name)} "
        f"<{escape(clinician.email)}>.",
        highlight=False,
    )
    out.print(f"`restride unshare {escape(clinician.email)}` takes it back.", highlight=False)


@app.command()
def unshare(
    clinician_email: Annotated[
        str, typer.Argument(metavar="CLINICIAN_EMAIL", help="The clinician to stop sharing with.")
    ],
    athlete: AthleteOption = None,
) -> None:
    """Stop sharing your record with a clinician; what they recorded stays in it."""
    from restride.services import sharing

    with opened() as db:
        account = local_athlete(db, athlete)
        sharing.revoke_share(db, account.id, clinician_email)
    out.print(
        f"{escape(clinician_email.strip().lower())} no longer sees {escape(account.name)}'s "
        "record.",
        highlight=False,
    )


@clinician_app.command("add")
def clinician_add(
    name: Annotated[str, typer.Option(help="The clinician's name.", show_default=False)],
    email: Annotated[str, typer.Option(help="The clinician's email: the account's key.")],
) -> None:
    """Create a clinician account, whom athletes can then share with (`restride share`)."""
    from restride.services import athletes

    with opened(migrate=True) as db:
        account = athletes.create_account(db, email=email, name=name, role="clinician")
    out.print(
        f"Created the clinician account {escape(account.name)} <{escape(account.email)}>.",
        highlight=False,
    )
    out.print(
        f"An athlete shares with them by `restride share {escape(account.email)}`.",
        highlight=False,
    )


# --- event ------------------------------------------------------------------------------------


@app.command()
def event(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="clear|hold|release|note|set-minimum|skip-week|add-gate|change-protocol",
            help="What your clinician decided: cleared you, held you where you are, released "
            "the hold, a note; or tailored the program (RTR-7): a phase's minimum (--phase, "
            "--days), a week skipped (--phase, --week), a clearance before a phase (--gate), "
            "another protocol (--protocol).",
            show_default=False,
        ),
    ],
    reason: Annotated[
        str, typer.Option(help="What they said, in a few words.", show_default=False)
    ],
    date: Annotated[str | None, typer.Option(metavar="DATE", help="When (default: today).")] = None,
    phase: Annotated[
        str | None, typer.Option(help="set-minimum, skip-week: the phase, e.g. corrective.")
    ] = None,
    days: Annotated[int | None, typer.Option(help="set-minimum: the new minimum in days.")] = None,
    week: Annotated[int | None, typer.Option(help="skip-week: which week of the phase.")] = None,
    gate: Annotated[
        str | None,
        typer.Option(help="add-gate: the phase that starts only once your clinician clears you."),
    ] = None,
    protocol: Annotated[
        str | None, typer.Option(help="change-protocol: the protocol from this day on.")
    ] = None,
    athlete: AthleteOption = None,
) -> None:
    """Record what your clinician decided; today's decision takes it into account."""
    from restride.services import decisions, sharing

    now = current_day()
    kind = given_or_fail("KIND", partial(choice, choices=tuple(EVENT_KINDS)), kind)
    day = given_or_fail("--date", past_day(now), date) if date else now
    if not reason.strip():
        fail("--reason: say what your clinician said, in a few words")
    try:
        entry = ClinicianEvent(
            date=day,
            kind=EVENT_KINDS[kind],  # type: ignore[arg-type]
            reason=reason.strip(),
            phase=phase,
            days=days,
            week=week,
            gate=gate,
            protocol=protocol,
        )
    except ValidationError as exc:
        fail(one_line(exc))
    with opened() as db:
        account = local_athlete(db, athlete)
        sharing.record_clinician_event(db, account.id, entry, today=now)
        decision = decisions.todays_decision(db, account.id, today=now)
    out.print(
        f"Recorded: on {day} your clinician {EVENT_WORDS[kind]}: {escape(entry.reason)}",
        highlight=False,
    )
    out.print()
    print_decision_brief(out, decision)


# --- episode close, imaging add ---------------------------------------------------------------


@episode_app.command("close")
def episode_close(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Close it without asking.")] = False,
    athlete: AthleteOption = None,
) -> None:
    """Close the current injury episode: recovered, or to start one for a new injury."""
    from restride.services import athletes

    now = current_day()
    if not yes and not in_terminal():
        fail("closing the episode needs confirming: pass --yes (not a terminal to ask in)")
    with opened() as db:
        account = local_athlete(db, athlete)
        episode = athletes.active_episode_info(db, account.id)
        injury = episode.injury
        what = (
            f"the episode for the {SITES[injury.site].name} ({injury.side}), "
            f"started {episode.program_start}"
        )
        if not yes and not typer.confirm(f"Close {what}?", default=False):
            out.print("Nothing changed: the episode stays open.", highlight=False)
            return
        athletes.close_episode(db, account.id, today=now)
    out.print(f"Closed {escape(what)}.", highlight=False)
    out.print(
        "Its record stays. `restride init` starts a new one for a new injury.", highlight=False
    )


@imaging_app.command("add")
def imaging_add(
    imaging: Annotated[
        str,
        typer.Argument(
            metavar="DATE:MODALITY:RESULT",
            help="e.g. 2026-02-16:xray:negative",
            show_default=False,
        ),
    ],
    athlete: AthleteOption = None,
) -> None:
    """Add an imaging result to the current injury episode."""
    from restride.services import athletes, decisions

    now = current_day()
    image = given_or_fail("DATE:MODALITY:RESULT", imaging_parser(now), imaging)
    with opened() as db:
        account = local_athlete(db, athlete)
        athletes.add_imaging(db, account.id, image, today=now)
        decision = decisions.todays_decision(db, account.id, today=now)
    modality = MODALITY_WORDS.get(image.modality, image.modality)
    out.print(f"Added: {modality} on {image.date}, {image.result}.", highlight=False)
    out.print()
    print_decision_brief(out, decision)
