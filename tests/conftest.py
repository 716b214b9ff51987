from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from restride.loading import builtin_protocol
from restride.storage.database import Database
from restride.storage.tables import Base

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from restride.domain.protocol import Protocol

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=40
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
# For a deeper search before a release: pytest --hypothesis-profile=heavy
settings.register_profile("heavy", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return builtin_protocol()


# --- Databases: every storage and service test runs on a real SQLite file and on PostgreSQL ---

PG_ADMIN_URL = os.environ.get(
    "RESTRIDE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI") == "true"


def postgres_admin_engine() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def postgres_available() -> str | None:
    """None when the test server answers, else why not."""
    try:
        with postgres_admin_engine().connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:
        return f"no PostgreSQL server at {PG_ADMIN_URL}: {exc.__class__.__name__}"
    return None


def fresh_postgres_url(name: str) -> str:
    """Create (or recreate) an empty database `name` on the test server; return its URL."""
    admin = postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres(name: str) -> None:
    admin = postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason}; in CI the PostgreSQL tests must run (see .ci/run)")
    pytest.skip(reason)


def make_database(kind: str, folder: Path, name: str) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite:///{folder / (name + '.db')}")
    require_postgres()
    return Database(fresh_postgres_url(name))


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Database]]:
    """One migrated database per kind for the whole run; `database` empties it per test."""
    made: dict[str, Database] = {}
    yield made
    for kind, db in made.items():
        db.dispose()
        if kind == "postgresql":
            drop_postgres(make_url(db.url).database or "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest,
    migrated: dict[str, Database],
    tmp_path_factory: pytest.TempPathFactory,
) -> Database:
    """An empty, migrated database: a real SQLite file, then the real PostgreSQL server."""
    kind = request.param
    if kind not in migrated:
        name = f"restride_test_{os.getpid()}"
        db = make_database(kind, tmp_path_factory.mktemp("sqlite"), name)
        db.migrate()
        migrated[kind] = db
    db = migrated[kind]
    empty(db)
    return db


def empty(db: Database) -> None:
    with db.transaction() as tx:
        for table in reversed(Base.metadata.sorted_tables):
            tx.execute(table.delete())
