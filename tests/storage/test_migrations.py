"""The Alembic chain: up from nothing, down to nothing, up again, and in step with the tables.

Each test makes its own empty database (a SQLite file, then a PostgreSQL database), because the
shared `database` fixture is already migrated.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from restride.storage.database import Database, alembic_config
from restride.storage.tables import Base
from tests.conftest import drop_postgres, make_database

if TYPE_CHECKING:
    from collections.abc import Iterator

VERSIONS = Path(str(resources.files("restride.storage") / "migrations" / "versions"))
MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9]+(_[a-z0-9]+)*\.py$")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema at all, made for this test and dropped after it."""
    db = make_database(request.param, tmp_path, f"restride_migrations_{os.getpid()}")
    yield db
    db.dispose()
    if db.dialect == "postgresql":
        drop_postgres(make_url(db.url).database or "")


def table_names(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def schema_differences(db: Database) -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(Database("sqlite://").engine))
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def test_the_chain_upgrades_from_empty_downgrades_to_base_and_upgrades_again(
    empty_database: Database,
) -> None:
    db = empty_database
    assert db.current_revision() is None
    db.migrate()
    assert db.current_revision() == db.head_revision()
    assert table_names(db) >= {t.name for t in Base.metadata.sorted_tables}

    db.downgrade("base")
    assert db.current_revision() is None
    assert table_names(db) <= {"alembic_version"}

    db.migrate()
    assert db.current_revision() == db.head_revision()
    assert schema_differences(db) == []


def test_the_migrated_schema_matches_the_tables(empty_database: Database) -> None:
    empty_database.migrate()
    assert schema_differences(empty_database) == []


def test_each_migration_downgrades_and_upgrades_again_one_step_at_a_time(
    empty_database: Database,
) -> None:
    db = empty_database
    previous = "base"
    for revision in revisions_oldest_first():
        db.migrate(revision)
        assert db.current_revision() == revision
        db.downgrade(previous)
        assert db.current_revision() == (None if previous == "base" else previous)
        db.migrate(revision)
        previous = revision
    assert schema_differences(db) == []


def test_every_migration_is_numbered_with_its_revision_id_and_has_a_downgrade() -> None:
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert files, f"no migrations in {VERSIONS}"
    numbers: list[str] = []
    expected_previous: str | None = None
    for path in files:
        match = MIGRATION_FILE.match(path.name)
        assert match, f"{path.name}: name it NNNN_<words>.py (alembic revision --rev-id NNNN)"
        number = match.group(1)
        module = ast.parse(path.read_text(encoding="utf-8"))
        assigned = {
            node.target.id: ast.literal_eval(node.value)
            for node in module.body
            if isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        }
        assert assigned.get("revision") == number, f"{path.name}: revision id is not {number}"
        assert assigned.get("down_revision") == expected_previous, (
            f"{path.name}: should follow {expected_previous or 'nothing'}"
        )
        downgrade = next(
            (n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "downgrade"),
            None,
        )
        assert downgrade is not None, f"{path.name}: no downgrade()"
        body = [
            statement
            for statement in downgrade.body
            if not isinstance(statement, ast.Pass)
            and not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        ]
        assert body, f"{path.name}: downgrade() does nothing"
        expected_previous = number
        numbers.append(number)
    assert revisions_oldest_first() == numbers


def test_going_down_from_0007_drops_the_withdrawals_so_the_events_they_took_back_stand(
    empty_database: Database,
) -> None:
    """Without the `withdraws` column a withdrawal could not say what it takes back; the
    downgrade removes them, and the event taken back is in force again, as it was before."""
    db = empty_database
    db.migrate("0007")
    day = dt.date(2026, 3, 2)
    now = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO accounts (id, email, name, role, units, created_at) "
                "VALUES ('a', 'a@example.org', 'A', 'athlete', 'metric', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO episodes (id, athlete_id, protocol, site, side, kind, onset, "
                "prior_bone_stress_injury, program_start, active, created_at) VALUES "
                "('e', 'a', 'ten-steps', 'metatarsal_4_shaft', 'right', 'bone', :day, false, "
                ":day, true, :now)"
            ),
            {"day": day, "now": now},
        )
        for row_id, kind, withdraws in (("h", "hold", None), ("w", "withdraw", "h")):
            connection.execute(
                text(
                    "INSERT INTO clinician_events (id, episode_id, date, kind, reason, "
                    "recorded_at, withdraws) VALUES (:id, 'e', :day, :kind, 'why', :now, :w)"
                ),
                {"id": row_id, "day": day, "kind": kind, "now": now, "w": withdraws},
            )
    db.downgrade("0005")
    with db.engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM clinician_events")).scalars().all()
    assert kinds == ["hold"]
    db.migrate()
    assert schema_differences(db) == []


def test_the_head_read_from_the_files_is_alembics_head(database: Database) -> None:
    from alembic.script import ScriptDirectory

    from restride.storage.database import alembic_config, head_revision

    alembic_head = ScriptDirectory.from_config(alembic_config(database.engine)).get_current_head()
    assert head_revision() == alembic_head
    assert database.current_revision() == alembic_head  # the fixture migrated it
