"""`restride backup` copies a live database consistently: taken while another process keeps
writing, the copy restores (a SQLite file opened as it is; pg_dump's archive through
pg_restore) to a state the database was really in: every check-in up to some day, none missing
before it, each the same as in the live database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from restride.cli import app
from restride.services import archive, athletes
from restride.simulation import seed_injury
from restride.storage.backup import libpq_url
from restride.storage.database import Database
from tests.conftest import drop_postgres, fresh_postgres_url, make_database
from tests.storage import steady_writer

if TYPE_CHECKING:
    from collections.abc import Iterator

WRITER = Path(steady_writer.__file__)


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, str]]:
    db = make_database(request.param, tmp_path, f"restride_backup_{os.getpid()}")
    db.migrate()
    alice = athletes.create_account(db, email="alice@example.org", name="Alice")
    start = steady_writer.START
    athletes.start_episode(db, alice.id, seed_injury(), program_start=start, today=start)
    yield db, alice.id
    db.dispose()
    if db.dialect == "postgresql":
        drop_postgres(make_url(db.url).database or "")


def restored(db: Database, copy: Path, folder: Path) -> Database:
    if db.dialect == "sqlite":
        return Database(f"sqlite:///{copy}")
    url = fresh_postgres_url(f"restride_restored_{os.getpid()}")
    plain, password = libpq_url(url)
    pg_restore = shutil.which("pg_restore")
    assert pg_restore, "pg_restore is needed (postgresql-client)"
    subprocess.run(
        [pg_restore, "--no-owner", f"--dbname={plain}", str(copy)],
        env={**os.environ, **password},
        check=True,
        capture_output=True,
    )
    return Database(url)


def checkins_of(db: Database) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(archive.export_archive(db))["tables"]["checkins"]
    return sorted(rows, key=lambda r: str(r["date"]))


def test_a_backup_taken_while_another_process_writes_restores_to_a_real_state(
    live: tuple[Database, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, athlete = live
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), db.url, athlete, str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "started"
    time.sleep(0.5)  # let it write a few more; the backup runs beside it either way
    copy = tmp_path / "restride.backup"
    monkeypatch.setenv("RESTRIDE_DATABASE_URL", db.url)

    result = CliRunner().invoke(app, ["backup", str(copy)])

    stop.touch()
    writer.wait(timeout=120)
    assert result.exit_code == 0, result.output
    assert f"Backed up to {copy}" in " ".join(result.stdout.split())
    assert writer.returncode == 0
    back = restored(db, copy, tmp_path)
    try:
        assert back.current_revision() == db.head_revision()
        kept, now = checkins_of(back), checkins_of(db)
        assert 1 <= len(kept) <= len(now)
        assert kept == now[: len(kept)]  # a prefix of the days: a state the database was in
        assert [r["notes"] for r in kept] == [f"day {n}" for n in range(len(kept))]
    finally:
        back.dispose()
        if back.dialect == "postgresql":
            drop_postgres(make_url(back.url).database or "")


def test_a_backup_never_overwrites_a_file(live: tuple[Database, str], tmp_path: Path) -> None:
    db, _ = live
    existing = tmp_path / "taken.db"
    existing.write_text("keep me")
    env = {"RESTRIDE_DATABASE_URL": db.url}

    result = CliRunner().invoke(app, ["backup", str(existing)], env=env)

    assert result.exit_code == 2
    assert "already exists" in result.stderr and existing.read_text() == "keep me"
