"""`restride serve`: the local web app; `restride reset-code`: a one-time password-reset code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

from restride.cli.app import _date, app, guarded, open_database, out, settings
from restride.cli.app import today as current_day

if TYPE_CHECKING:
    from restride.storage.database import Database

# The demo's accounts are public: anyone reading the README can sign in as them. Only for
# `--demo` on your own machine; a clinic never runs with it.
DEMO_PASSWORD = "restride-demo"  # noqa: S105 - printed on purpose
DEMO_CLINICIAN = ("therapist@example.org", "Demo Therapist")


def load_demo(db: Database) -> list[tuple[str, str]]:
    """Runner C a few months in, runner C on day one, and a therapist both share with, all with
    the demo password; (label, email), the months-in runner first."""
    from argon2 import PasswordHasher

    from restride.services import demo as demo_service
    from restride.services import sharing
    from restride.services.errors import ConflictError
    from restride.storage.repository import account_by_email
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
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Web processes; with PostgreSQL a clinic runs several (see docs/deploy.md)."
        ),
    ] = 1,
    jobs: Annotated[
        bool,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run a background-job worker beside the app (a clinic may run its own).",
        ),
    ] = True,
) -> None:
    """Run the web app; creates and migrates the database on first run."""
    import uvicorn

    from restride.web.app import DemoSignIn, create_app
    from restride.web.factory import DEMO_SIGN_INS

    db = open_database(migrate=True)
    demos: list[DemoSignIn] = []
    if demo:
        with guarded():
            demos = [DemoSignIn(label, email, DEMO_PASSWORD) for label, email in load_demo(db)]
    shown = f"[{host}]" if ":" in host else host
    out.print(f"restride is running at http://{shown}:{port}/  (Ctrl+C to stop)", highlight=False)
    for entry in demos:
        out.print(f"  demo: {entry.email} / password {DEMO_PASSWORD}", highlight=False)
    if host not in ("127.0.0.1", "localhost", "::1"):
        out.print(
            "  note: this serves plain HTTP on the network; put a TLS proxy in front of it",
            highlight=False,
        )
    # Forwarded headers (X-Forwarded-For, -Proto: behind a TLS proxy the request is https, so
    # cookies get Secure) are believed only from RESTRIDE_TRUSTED_PROXIES; without it, from
    # nobody: uvicorn would otherwise believe anything sent from 127.0.0.1.
    trusted = settings().trusted_proxies.strip()
    worker = _start_worker() if jobs else None
    try:
        if workers == 1:
            web = create_app(db, demo_sign_ins=demos)
            uvicorn.run(
                web,
                host=host,
                port=port,
                log_level="warning",
                proxy_headers=bool(trusted),
                forwarded_allow_ips=trusted or None,
            )
        else:
            os.environ[DEMO_SIGN_INS] = json.dumps([vars(d) for d in demos])
            uvicorn.run(
                "restride.web.factory:app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
                proxy_headers=bool(trusted),
                forwarded_allow_ips=trusted or None,
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _start_worker() -> subprocess.Popen[bytes]:
    """`restride worker` as a child process: jobs run beside the app, and stop with it."""
    command = [
        sys.executable,
        "-m",
        "restride.cli",
        "worker",
        "--quiet",
        "--parent",
        str(os.getpid()),
    ]
    return subprocess.Popen(command)  # noqa: S603 - our own command, no user input


@app.command()
def worker(
    threads: Annotated[int, typer.Option(min=1, help="Jobs run at once.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", help="Say nothing on start.")] = False,
    parent: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """Run background jobs (imports of large exports, PDF reports, the nightly refresh) until
    stopped; a job a dead worker left half-done is taken up again."""
    from restride import jobs as job_queue

    config = settings()
    open_database().dispose()  # the database must be there and current before any job runs
    huey = job_queue.queue(config)
    again = job_queue.take_up_abandoned(config)
    if not quiet:
        out.print(f"restride worker: jobs from {job_queue.queue_location(config)}", highlight=False)
        if again:
            out.print(f"  taking up {len(again)} job(s) a stopped worker left", highlight=False)
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=True)
    if parent is not None:
        _stop_with(parent)
    consumer.run()


def _stop_with(parent: int) -> None:
    """Started by `restride serve`: stop when it does, even if it was killed outright."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


@app.command()
def refresh(
    date: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="The day to compose (default today).")
    ] = None,
) -> None:
    """Compose every athlete's day now (what the worker does just after midnight)."""
    from restride.services import refresh as refresh_service

    db = open_database()
    when = _date(date, "--date") or current_day()
    with guarded():
        count = refresh_service.refresh_all(db, today=when)
    out.print(f"Composed {when} for {count} athletes.", highlight=False)


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
