from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tests.conftest import drop_postgres, make_database
from tests.exports.records import Stored, runner_history, store_runner

if TYPE_CHECKING:
    from collections.abc import Iterator

    from restride.domain.case import Case
    from restride.domain.protocol import Protocol
    from restride.storage.database import Database


@pytest.fixture(scope="session")
def runner_case(protocol: Protocol) -> Case:
    return runner_history(protocol)


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def runner(
    request: pytest.FixtureRequest, runner_case: Case, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stored]:
    """The runner stored once per database kind, in a database of its own, for the tests that
    only read it (storing ~200 rows through the services takes a second on PostgreSQL)."""
    kind = request.param
    name = f"restride_exports_{os.getpid()}"
    db = make_database(kind, tmp_path_factory.mktemp("exports"), name)
    try:
        db.migrate()
        yield store_runner(db, runner_case)
    finally:
        db.dispose()
        if kind == "postgresql":
            drop_postgres(name)


@pytest.fixture
def stored(database: Database, runner_case: Case) -> Stored:
    """The runner stored afresh, for a test that adds to the history."""
    return store_runner(database, runner_case)
