"""Connecting to the database: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL.

Services open a transaction with `Database.transaction()`; on SQLite it begins IMMEDIATE, so two
processes writing at the same moment queue for the lock instead of failing half-way.
"""

from __future__ import annotations

from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from collections.abc import Iterator

SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseError(Exception):
    """The database cannot be used as asked (wrong URL, out of date, unreachable)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off: `_sqlite_begin` starts them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # The URL is not echoed: it may hold a password.
        raise DatabaseError(
            "the database URL cannot be read: use sqlite:///PATH or postgresql://USER@HOST/NAME"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # SQLite itself would take `~` as a folder named `~` under the working directory.
            path = Path(parsed.database).expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            parsed = parsed.set(database=str(path))
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise DatabaseError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("restride.storage") / "migrations")
    )
    config.attributes["engine"] = engine
    return config


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` (creating it on an empty database)."""
        command.upgrade(alembic_config(self.engine), revision)

    def downgrade(self, revision: str) -> None:
        command.downgrade(alembic_config(self.engine), revision)

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()

    def check_current(self) -> None:
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            raise DatabaseError(
                f"the database is at schema {current or 'empty'}, restride needs {head}: "
                "run `restride init` to upgrade it"
            )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
