"""`restride serve`: the local web app; `restride reset-code`: a one-time password-reset code."""

from __future__ import annotations

from typing import Annotated

import typer

from restride.cli.app import app, guarded, open_database, out
from restride.cli.app import today as current_day
from restride.services import demo as demo_service
from restride.services import sharing
from restride.services.errors import ConflictError
from restride.storage.database import Database
from restride.storage.repository import account_by_email

# The demo's accounts are public: anyone reading the README can sign in as them. Only for
# `--demo` on your own machine; a clinic never runs with it.
DEMO_PASSWORD = "restride-demo"  # noqa: S105 - printed on purpose
DEMO_CLINICIAN = ("therapist@example.org", "Demo Therapist")


def load_demo(db: Database) -> list[tuple[str, str]]:
    """Runner C a few months in, runner C on day one, and a therapist both share with, all with
    the demo password; (label, email), the months-in runner first."""
    from argon2 import PasswordHasher

    from restride.web import accounts

    hasher = PasswordHasher()
    email, name = DEMO_CLINICIAN
    with db.transaction() as tx:
        existing = account_by_email(tx, email)
    if existing is None:
        therapist = accounts.sign_up(
            db, hasher, email=email, name=name, password=DEMO_PASSWORD, role="clinician"
        ).id
    else:
        therapist = existing.id
        accounts.set_password(db, hasher, therapist, DEMO_PASSWORD, sign_out=False)
    today = current_day()
    recovering = demo_service.load_recovering_runner(db, today=today, clinician_id=therapist)
    first_day = demo_service.load_seed_runner(db, today=today)
    for runner in (recovering.athlete, first_day.athlete):
        accounts.set_password(db, hasher, runner.id, DEMO_PASSWORD, sign_out=False)
        try:
            sharing.share_with(db, runner.id, email)
        except ConflictError:
            pass  # shared on an earlier run
    return [
        ("Sign in as runner C, three months in", recovering.athlete.email),
        ("Sign in as runner C on day one", first_day.athlete.email),
        (f"Sign in as {name}", email),
    ]


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the demo runner C (three months in, and on day one) and a therapist first.",
        ),
    ] = False,
) -> None:
    """Run the web app; creates and migrates the database on first run."""
    import uvicorn

    from restride.web.app import DemoSignIn, create_app

    db = open_database(migrate=True)
    demos: list[DemoSignIn] = []
    if demo:
        with guarded():
            demos = [DemoSignIn(label, email, DEMO_PASSWORD) for label, email in load_demo(db)]
    web = create_app(db, demo_sign_ins=demos)
    shown = f"[{host}]" if ":" in host else host
    out.print(f"restride is running at http://{shown}:{port}/  (Ctrl+C to stop)", highlight=False)
    for entry in demos:
        out.print(f"  demo: {entry.email} / password {DEMO_PASSWORD}", highlight=False)
    if host not in ("127.0.0.1", "localhost", "::1"):
        out.print(
            "  note: this serves plain HTTP on the network; put a TLS proxy in front of it",
            highlight=False,
        )
    # proxy_headers: behind a TLS proxy the request is https, so cookies get Secure.
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=True)


@app.command("reset-code")
def reset_code(
    email: Annotated[str, typer.Argument(help="The account's email.")],
) -> None:
    """Print a one-time code (valid an hour) that lets EMAIL set a new password at /reset."""
    from restride.web import accounts

    db = open_database()
    with guarded():
        code = accounts.create_reset_code(db, email)
    out.print(f"Reset code for {email.strip().lower()}: {code}", highlight=False)
    out.print("It works once, within the hour, on the /reset page.", highlight=False)
