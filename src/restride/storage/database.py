"""Connecting to the database: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL.

Services that write open `Database.transaction()`: on SQLite it begins IMMEDIATE, so two
processes writing at the same moment queue for the lock instead of failing half-way. Services
that only read open `Database.read()`: a plain (deferred) transaction on SQLite, which in WAL
mode never waits for a writer, and a READ ONLY one on PostgreSQL. A writer waits at most
`busy_timeout_s` for the lock (SQLite's busy timeout, PostgreSQL's lock_timeout), then gets
`DatabaseBusyError`: the web app answers 503 with Retry-After, the CLI exits 75 (EX_TEMPFAIL),
and nothing was written, so trying again is safe.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from collections.abc import Iterator

    from alembic.config import Config

DEFAULT_BUSY_TIMEOUT_S = 5.0
# Transactions opened by `Database.read()` carry this execution option.
READ_ONLY = "restride_read_only"
# PostgreSQL's codes for "gave up waiting for a lock" and "deadlock, one of you retry".
_PG_BUSY = frozenset({"55P03", "40P01"})


class DatabaseError(Exception):
    """The database cannot be used as asked (wrong URL, out of date, unreachable)."""


class DatabaseBusyError(DatabaseError):
    """Another writer held the lock past the wait allowed; nothing was written: retry."""

    def __init__(self, waited_s: float) -> None:
        self.retry_after_s = max(1, round(waited_s))
        super().__init__(
            f"the database is busy with another change (waited {waited_s:g} s); nothing was"
            " saved: try again in a moment"
        )


def is_busy(exc: BaseException) -> bool:
    """Whether a driver error means "another writer holds the lock": retrying will work."""
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _PG_BUSY:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text


def _sqlite_pragmas(busy_timeout_s: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off: `_sqlite_begin` starts them.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {round(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin(connection: Any) -> None:
    # A reader takes no lock up front: in WAL mode it reads its snapshot beside any writer.
    # A writer takes the write lock first, so it never fails half-way for want of it.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Engine:
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
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # A writer waiting for a row or table lock gives up after the same bounded wait.
        options = f"-c lock_timeout={round(busy_timeout_s * 1000)}"
        return create_engine(parsed, pool_pre_ping=True, connect_args={"options": options})
    raise DatabaseError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # Alembic only where migrations run: it is slow to import

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("restride.storage") / "migrations")
    )
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    """The newest migration: the one no other names as its `down_revision` (read from the
    migration files themselves, which is what Alembic does, without importing Alembic)."""
    folder = resources.files("restride.storage") / "migrations" / "versions"
    revisions: set[str] = set()
    downs: set[str] = set()
    for entry in folder.iterdir():
        if not entry.name.endswith(".py"):
            continue
        source = entry.read_text(encoding="utf-8")
        found = REVISION.search(source)
        if found:
            revisions.add(found.group(1))
        down = DOWN_REVISION.search(source)
        if down:
            downs.add(down.group(1))
    heads = sorted(revisions - downs)
    return heads[-1] if heads else None


REVISION = re.compile(r'^revision: str = "([^"]+)"', re.MULTILINE)
DOWN_REVISION = re.compile(r'^down_revision: [^=]+= "([^"]+)"', re.MULTILINE)


class Database:
    def __init__(self, url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
        self.url = url
        self.busy_timeout_s = busy_timeout_s
        self.engine = make_engine(url, busy_timeout_s)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        self._readers = sessionmaker(
            self.engine.execution_options(**options), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` (creating it on an empty database)."""
        from alembic import command

        command.upgrade(alembic_config(self.engine), revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        command.downgrade(alembic_config(self.engine), revision)

    def current_revision(self) -> str | None:
        # A read: checking the schema must not wait for (or block) a writer. Alembic's own
        # table, read directly: every command checks it, and Alembic takes long to import.
        with self.engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.scalar(text("select version_num from alembic_version"))
            return str(found) if found is not None else None

    def head_revision(self) -> str | None:
        return head_revision()

    def check_current(self) -> None:
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            raise DatabaseError(
                f"the database is at schema {current or 'empty'}, restride needs {head}: "
                "run `restride init` to upgrade it"
            )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises;
        `DatabaseBusyError` when another writer held the lock past the allowed wait."""
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusyError(self.busy_timeout_s) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work that no writer blocks (and that writes nothing)."""
        try:
            with self._readers.begin() as session:
                yield session
        except OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusyError(self.busy_timeout_s) from exc
            raise

    def dispose(self) -> None:
        self.engine.dispose()
