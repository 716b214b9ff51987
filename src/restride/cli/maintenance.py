"""`restride backup`: a consistent copy of the live database; `restride reads`: who has
looked at your record (commands on `app`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from restride.cli.app import app, guarded, local_athlete, open_database, out
from restride.cli.daily import AthleteOption


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy (a new file).")],
) -> None:
    """A consistent copy of the database while it is in use (SQLite file, or pg_dump)."""
    from restride.storage.backup import backup as backup_database

    db = open_database()
    with guarded():
        kind = backup_database(db, file)
    out.print(f"Backed up to {escape(str(file))}: {kind}.", highlight=False)


@app.command()
def reads(athlete: AthleteOption = None) -> None:
    """Every time a clinician opened your record, newest first."""
    from restride.services import audit

    db = open_database()
    account = local_athlete(db, athlete)
    with guarded():
        found = audit.reads_of(db, account.id)
    if not found:
        out.print("No clinician has opened your record.", highlight=False)
    for read in found:
        when = read.at.strftime("%Y-%m-%d %H:%M UTC")
        out.print(f"{when}  {escape(read.clinician)}  {escape(read.what)}", highlight=False)
