"""Connecting: SQLite settings, constraints the database itself enforces, UTC times, refusals."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError

from restride.storage import tables as t
from restride.storage.database import Database, DatabaseError
from tests.conftest import drop_postgres, make_database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ONSET = dt.date(2026, 2, 9)
START = dt.date(2026, 3, 2)


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema, made for this test and dropped after it."""
    db = make_database(request.param, tmp_path, f"restride_unmigrated_{os.getpid()}")
    yield db
    db.dispose()
    if db.dialect == "postgresql":
        drop_postgres(make_url(db.url).database or "")


def athlete(db: Database, email: str = "alice@example.org") -> str:
    with db.transaction() as tx:
        row = t.Account(email=email, name="Alice", role="athlete")
        tx.add(row)
        tx.flush()
        return row.id


def episode(athlete_id: str, *, active: bool = True) -> t.Episode:
    return t.Episode(
        athlete_id=athlete_id,
        protocol="ten-steps",
        site="metatarsal_4_shaft",
        side="right",
        kind="bone",
        onset=ONSET,
        program_start=START,
        active=active,
    )


def count(db: Database, table: type[t.Base]) -> int:
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(table)) or 0


# --- SQLite -----------------------------------------------------------------------------------


def test_sqlite_file_is_created_in_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    path = tmp_path / "not" / "there" / "restride.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    assert path.is_file()


def test_sqlite_path_with_a_tilde_means_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    db = Database("sqlite:///~/restride/restride.db")
    db.migrate()
    db.dispose()
    assert (tmp_path / "home" / "restride" / "restride.db").is_file()
    assert list(elsewhere.iterdir()) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'restride.db'}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5_000
    db.dispose()


def test_sqlite_transactions_take_the_write_lock_at_once(tmp_path: Path) -> None:
    path = tmp_path / "restride.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with db.transaction() as tx:
        tx.execute(select(1))  # a read, yet the transaction already holds the write lock
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
    db.dispose()


# --- Both databases ---------------------------------------------------------------------------


def test_a_foreign_key_to_nothing_is_refused(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as tx:
        tx.add(episode("0" * 32))
    assert count(database, t.Episode) == 0


def test_deleting_an_account_deletes_its_episodes(database: Database) -> None:
    alice = athlete(database)
    with database.transaction() as tx:
        tx.add(episode(alice))
    with database.transaction() as tx:
        tx.delete(tx.get(t.Account, alice))
    assert count(database, t.Episode) == 0


def test_only_one_active_episode_per_athlete_is_allowed(database: Database) -> None:
    alice = athlete(database)
    with database.transaction() as tx:
        tx.add(episode(alice))
    with pytest.raises(IntegrityError), database.transaction() as tx:
        tx.add(episode(alice))
    assert count(database, t.Episode) == 1


def test_closed_episodes_do_not_count_against_the_one_active(database: Database) -> None:
    alice = athlete(database)
    bea = athlete(database, "bea@example.org")
    with database.transaction() as tx:
        tx.add_all(
            [
                episode(alice, active=False),
                episode(alice, active=False),
                episode(alice),
                episode(bea),
            ]
        )
    assert count(database, t.Episode) == 4


def test_times_come_back_timezone_aware_in_utc(database: Database) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    created = dt.datetime(2026, 3, 2, 23, 30, 15, 123456, tzinfo=paris)
    with database.transaction() as tx:
        row = t.Account(email="a@example.org", name="A", role="athlete", created_at=created)
        tx.add(row)
        tx.flush()
        account_id = row.id
    with database.transaction() as tx:
        stored = tx.get(t.Account, account_id)
        assert stored is not None
        assert stored.created_at.tzinfo == dt.UTC
        assert stored.created_at == created
        assert stored.created_at.timetuple()[:6] == (2026, 3, 2, 22, 30, 15)
        assert stored.created_at.microsecond == 123456


def test_default_times_come_back_in_utc_too(database: Database) -> None:
    before = dt.datetime.now(dt.UTC)
    alice = athlete(database)
    with database.transaction() as tx:
        stored = tx.get(t.Account, alice)
        assert stored is not None
        assert stored.created_at.tzinfo == dt.UTC
        assert before <= stored.created_at <= dt.datetime.now(dt.UTC)


def test_a_naive_time_is_refused(database: Database) -> None:
    naive = dt.datetime(2026, 3, 2, 12, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(StatementError, match="naive datetime"), database.transaction() as tx:
        tx.add(t.Account(email="a@example.org", name="A", role="athlete", created_at=naive))
    assert count(database, t.Account) == 0


def test_an_unmigrated_database_is_refused_with_a_hint_to_run_init(unmigrated: Database) -> None:
    with pytest.raises(DatabaseError, match=r"empty.*run `restride init`"):
        unmigrated.check_current()
    unmigrated.migrate()
    unmigrated.check_current()


def test_a_database_behind_the_code_is_refused(unmigrated: Database) -> None:
    unmigrated.migrate()
    unmigrated.downgrade("base")
    with pytest.raises(DatabaseError, match="restride init"):
        unmigrated.check_current()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://restride@localhost/restride", "unsupported database 'mysql'"),
        ("oracle+oracledb://restride@localhost/restride", "unsupported database 'oracle'"),
        ("not a url", "cannot be read"),
        ("", "cannot be read"),
    ],
)
def test_an_unsupported_url_is_a_clear_database_error(url: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message):
        Database(url)


def test_an_unreadable_url_is_not_echoed_since_it_may_hold_a_password() -> None:
    with pytest.raises(DatabaseError) as refused:
        Database("postgresql://restride:s3cret@host:notaport/restride")
    assert "s3cret" not in str(refused.value)
