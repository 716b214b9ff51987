"""A consistent copy of a live database, taken while others keep reading and writing.

SQLite: the online backup API copies the database as one snapshot (a write committed during
the copy makes SQLite start it again, so the copy is always a state the database was in).
PostgreSQL: `pg_dump` in its custom format, which reads everything in one snapshot;
`pg_restore` puts it back. The copy is written beside the target and renamed into place, so
a failed backup never leaves a half-written file under the name asked for.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from restride.storage.database import DatabaseError

if TYPE_CHECKING:
    from pathlib import Path

    from restride.storage.database import Database


def backup(db: Database, target: Path) -> str:
    """Copy the database to `target` (which must not exist); what kind of copy it is."""
    if target.exists():
        raise DatabaseError(f"{target}: already exists; choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if db.dialect == "sqlite":
            _backup_sqlite(db, partial)
            kind = "a SQLite database file"
        else:
            _backup_postgres(db.url, partial)
            kind = "a pg_dump archive (custom format): restore it with pg_restore"
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return kind


def _backup_sqlite(db: Database, target: Path) -> None:
    source = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
        finally:
            copy.close()
    finally:
        source.close()


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq tools take it, and the password apart (never on a command line)."""
    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _backup_postgres(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise DatabaseError("pg_dump not found: install the PostgreSQL client tools")
    plain, password = libpq_url(url)
    done = subprocess.run(  # noqa: S603 - a fixed program, the URL as one argument
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", plain],
        env={**os.environ, **password},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise DatabaseError(f"pg_dump failed: {first}")
