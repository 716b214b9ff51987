"""Export and restore: one versioned JSON archive that reproduces the data exactly, or nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from restride.domain.case import CheckIn, ClinicianEvent, Session
from restride.loading import builtin_protocol
from restride.services import archive, athletes, audit, checkins, sessions, sharing
from restride.services.archive import ARCHIVED_TABLES, SIGN_IN_STATE
from restride.services.errors import ConflictError, InvalidInputError
from restride.simulation import (
    PAIN_FREE,
    SEED_DOCTOR_VISIT,
    SEED_START,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)
from restride.storage import tables as t
from restride.storage.database import Database
from tests.conftest import drop_postgres, empty, make_database

Spare = Callable[[str, str], Database]
UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")


# -- databases ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spares(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Database]]:
    """Extra migrated databases, made once per run and emptied for each test."""
    made: dict[str, Database] = {}
    yield made
    for db in made.values():
        db.dispose()
        if db.dialect == "postgresql":
            drop_postgres(make_url(db.url).database or "")


@pytest.fixture
def spare(spares: dict[str, Database], tmp_path_factory: pytest.TempPathFactory) -> Spare:
    def get(kind: str, slot: str) -> Database:
        key = f"{kind}-{slot}"
        if key not in spares:
            name = f"restride_archive_{slot}_{os.getpid()}"
            db = make_database(kind, tmp_path_factory.mktemp("archive"), name)
            db.migrate()
            spares[key] = db
        empty(spares[key])
        return spares[key]

    return get


@pytest.fixture
def target(database: Database, spare: Spare) -> Database:
    """A second empty database of the same kind as `database`."""
    return spare(database.dialect, "target")


def row_counts(db: Database) -> dict[str, int]:
    with db.transaction() as tx:
        return {
            table.name: tx.scalar(select(func.count()).select_from(table)) or 0
            for table in ARCHIVED_TABLES
        }


def is_empty(db: Database) -> bool:
    return not any(row_counts(db).values())


# -- a runner's history, written through the services --------------------------------------------


def populate(db: Database, *, days: int = 5, email: str = "alice@example.org") -> str:
    """Alice, her clinician Bob, `days` simulated days, an edited check-in, shoes, activities."""
    alice = athletes.create_account(db, email=email, name="Alice Zoë Ångström")
    bob = athletes.create_account(db, email=f"bob.{email}", name="Dr Bob", role="clinician")
    athletes.start_episode(db, alice.id, seed_injury(), program_start=SEED_START, today=SEED_START)
    lived = simulate(
        builtin_protocol(),
        seed_injury(),
        SEED_START,
        days,
        symptoms=seed_runner_symptoms,
        events=SEED_DOCTOR_VISIT,
    ).case
    for checkin in lived.checkins:
        checkins.record_checkin(db, alice.id, checkin, today=checkin.date)
    for session in lived.sessions:
        sessions.log_session(db, alice.id, session, today=session.date)
    for event in lived.clinician_events:
        sharing.record_clinician_event(db, alice.id, event, today=event.date)
    last = lived.checkins[-1].date
    edited = CheckIn(date=last, **{**PAIN_FREE, "pain_walking": 3, "notes": "sore 🦶 after stairs"})
    checkins.record_checkin(db, alice.id, edited, today=last, edit=True)
    for kind, minutes in (("mobility", 10), ("cross_training", 25.5)):
        done = Session(
            date=last, phase="offload", kind=kind, planned_min=minutes, done_min=minutes, rpe=2
        )
        sessions.log_session(db, alice.id, done, today=last)
    sharing.share_with(db, alice.id, bob.email)
    sharing.revoke_share(db, alice.id, bob.email)
    sharing.share_with(db, alice.id, bob.email)
    note = ClinicianEvent(date=last, kind="note", reason="Hop test next week.")
    sharing.record_clinician_event(db, alice.id, note, today=last, clinician_id=bob.id)
    audit.record_read(
        db, athlete_id=alice.id, clinician_id=bob.id, clinician_name=bob.name, what="GET /board"
    )
    with db.transaction() as tx:
        account = tx.get(t.Account, alice.id)
        assert account is not None
        account.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"  # noqa: S105 - made up
        # The web app's sign-in state (hashes only), so the archive test covers its tables.
        expires = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        tx.add(
            t.WebSession(
                account_id=alice.id,
                token_hash=alice.id + "b" * 32,
                csrf_token="c" * 64,
                expires_at=expires,
            )
        )
        tx.add(
            t.InviteCode(
                athlete_id=alice.id,
                code_hash=alice.id + "d" * 32,
                expires_at=expires,
                used_by=bob.id,
                used_at=expires,
            )
        )
        tx.add(t.ResetCode(account_id=alice.id, code_hash=alice.id + "e" * 32, expires_at=expires))
        shoe = t.Shoe(
            athlete_id=alice.id,
            name="Daily trainer",
            brand="Brand",
            weight_g=250.0,
            drop_mm=8,
            flexibility=3,
            minimalist_index=0.1 + 0.2,
            retired_on=last,
        )
        tx.add(shoe)
        tx.flush()
        tx.add_all(
            [
                t.Activity(
                    athlete_id=alice.id,
                    shoe_id=shoe.id,
                    content_hash="a" * 64,
                    source="run.fit",
                    sport="running",
                    # Not UTC on purpose: the archive says it in UTC.
                    start_time=dt.datetime(
                        2026, 3, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))
                    ),
                    duration_s=1800.0,
                    distance_m=5000.0,
                    avg_hr=141.5,
                ),
                t.Activity(
                    athlete_id=alice.id,
                    content_hash="b" * 64,
                    source="walk.gpx",
                    sport="walking",
                    start_time=dt.datetime(2026, 3, 6, 7, 30, 15, 123456, tzinfo=dt.UTC),
                    distance_m=2512.25,
                ),
            ]
        )
    return alice.id


# -- the archive ----------------------------------------------------------------------------------


def test_export_restore_export_gives_byte_identical_archives(
    database: Database, target: Database
) -> None:
    populate(database, days=40)
    first = archive.export_archive(database)

    counts = archive.restore_archive(target, first)

    assert archive.export_archive(target) == first
    assert counts == row_counts(database)
    assert counts["checkins"] > 40  # every version of every check-in


@pytest.mark.parametrize(
    ("source", "destination"), [("sqlite", "postgresql"), ("postgresql", "sqlite")]
)
def test_an_archive_moves_between_sqlite_and_postgresql_unchanged(
    spare: Spare, source: str, destination: str
) -> None:
    origin = spare(source, "origin")
    populate(origin, days=20)
    first = archive.export_archive(origin)

    target = spare(destination, "target")
    archive.restore_archive(target, first)

    assert archive.export_archive(target) == first


def test_the_archive_holds_every_table_and_column_in_one_canonical_text(
    database: Database,
) -> None:
    alice = populate(database)

    text = archive.export_archive(database)

    data = json.loads(text)
    assert text.endswith("}\n")
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert (data["format"], data["version"], data["schema"]) == (
        "restride-archive",
        1,
        database.head_revision(),
    )
    assert set(data["tables"]) == {table.name for table in ARCHIVED_TABLES}
    assert not SIGN_IN_STATE & set(data["tables"])  # sessions and codes never leave the install
    for table in ARCHIVED_TABLES:
        rows = data["tables"][table.name]
        assert rows, f"{table.name} has no rows: the test data should cover every table"
        assert all(set(row) == set(table.columns.keys()) for row in rows)
        keys = [row["id"] for row in rows]
        assert keys == sorted(keys)
    tables = data["tables"]
    (account,) = [a for a in tables["accounts"] if a["id"] == alice]
    assert account["password_hash"].startswith("$argon2id$")
    assert "Alice Zoë Ångström" in text and "🦶" in text
    assert all(UTC_TIME.fullmatch(c["recorded_at"]) for c in tables["checkins"])
    starts = sorted(a["start_time"] for a in tables["activities"])
    assert starts == ["2026-03-05T07:00:00.000000+00:00", "2026-03-06T07:30:15.123456+00:00"]
    assert [s["weight_g"] for s in tables["shoes"]] == [250.0]
    assert '"weight_g": 250.0\n' in text and '"drop_mm": 8.0,' in text
    assert tables["shoes"][0]["minimalist_index"] == 0.1 + 0.2
    assert tables["episodes"][0]["active"] is True
    assert tables["episodes"][0]["onset"] == "2026-02-09"
    versions = [c["version"] for c in tables["checkins"] if c["notes"] == "sore 🦶 after stairs"]
    assert versions == [2]
    assert [s["revoked_at"] is None for s in tables["shares"]].count(True) == 1


def test_two_exports_of_the_same_data_are_identical(database: Database) -> None:
    populate(database)

    assert archive.export_archive(database) == archive.export_archive(database)


# -- refusals -------------------------------------------------------------------------------------


def test_restoring_into_a_database_with_data_is_refused_and_nothing_changes(
    database: Database,
) -> None:
    populate(database)
    before = archive.export_archive(database)

    with pytest.raises(ConflictError) as refused:
        archive.restore_archive(database, before, source="backup.json")

    assert refused.value.message.startswith("backup.json: the database already holds data (2 ")
    assert refused.value.hint == "replace_all"  # the CLI adds "use --replace"
    assert archive.export_archive(database) == before


def test_replace_deletes_everything_there_first_and_restores_the_archive(
    database: Database, target: Database
) -> None:
    populate(database)
    wanted = archive.export_archive(database)
    populate(target, email="someone.else@example.org")

    archive.restore_archive(target, wanted, replace=True)

    assert archive.export_archive(target) == wanted


def test_a_replace_the_database_refuses_keeps_what_was_there(
    database: Database, target: Database
) -> None:
    populate(target)
    kept = archive.export_archive(target)
    populate(database)
    data = json.loads(archive.export_archive(database))
    # A second active episode for Alice: only the database's partial unique index knows.
    data["tables"]["episodes"].append(dict(data["tables"]["episodes"][0], id="0" * 32))

    with pytest.raises(ConflictError, match="the database refused the row"):
        archive.restore_archive(target, json.dumps(data), replace=True)

    assert archive.export_archive(target) == kept


def edit(change: Callable[[dict[str, Any]], object]) -> Callable[[str], str]:
    """A way to spoil an archive: change its parsed data and write it out again."""

    def spoil(text: str) -> str:
        data = json.loads(text)
        change(data)
        return json.dumps(data, indent=2)

    return spoil


def first_row(table: str, index: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: data["tables"][table][index]


BAD_ARCHIVES: dict[str, tuple[Callable[[str], str], str]] = {
    "corrupt JSON": (
        lambda text: text.replace('"format"', '"format" "', 1),
        r"backup\.json: line \d+ column \d+: not valid JSON \(Expecting ':' delimiter\)$",
    ),
    "a truncated file": (
        lambda text: text[: len(text) // 2],
        r"backup\.json: line \d+ column \d+: not valid JSON .*: the archive ends too early",
    ),
    "a file cut inside a word": (
        lambda text: text[: text.index('"fever": f') + len('"fever": fa')],
        r"backup\.json: line \d+ column \d+: not valid JSON .*: the archive ends too early",
    ),
    "a file cut inside a string": (
        lambda text: text[: text.index('"name": "Alice') + len('"name": "Ali')],
        r"backup\.json: line \d+ column \d+: not valid JSON .*: the archive ends too early",
    ),
    "a file cut inside a number": (
        lambda text: text[: text.index('"weight_g": 250.0') + len('"weight_g": 250.')],
        r"backup\.json: line \d+ column \d+: not valid JSON .*: the archive ends too early",
    ),
    "an empty file": (lambda _text: "", r"backup\.json: the archive is empty$"),
    "another format": (
        edit(lambda d: d.update(format="fittrackee-export")),
        r"backup\.json: not a restride archive \(format 'fittrackee-export', "
        r"expected 'restride-archive'\)$",
    ),
    "a JSON list": (lambda _text: "[1, 2]", r"backup\.json: not a restride archive"),
    "a newer version": (
        edit(lambda d: d.update(version=2)),
        r"^backup\.json: archive version 2 is newer than this restride reads \(1\): "
        r"upgrade restride$",
    ),
    "a version that is not a number": (
        edit(lambda d: d.update(version="1")),
        r"backup\.json: version: '1' is not a whole number$",
    ),
    "an unknown schema": (
        edit(lambda d: d.update(schema="9999")),
        r"backup\.json: schema: '9999' is not a database schema this restride knows",
    ),
    "an unknown table": (
        edit(lambda d: d["tables"].update(workouts=[])),
        r"backup\.json: tables\.workouts: no such table in restride",
    ),
    "a missing table": (
        edit(lambda d: d["tables"].pop("shoes")),
        r"backup\.json: tables\.shoes: missing",
    ),
    "an unknown column": (
        edit(lambda d: first_row("sessions", 1)(d).update(heart_rate=150)),
        r"backup\.json: tables\.sessions\[1\]\.heart_rate: no such column in sessions$",
    ),
    "a missing column": (
        edit(lambda d: first_row("checkins", 2)(d).pop("fever")),
        r"backup\.json: tables\.checkins\[2\]: the column 'fever' is missing$",
    ),
    "a bad date in row 3": (
        edit(lambda d: first_row("checkins", 3)(d).update(date="2026-13-01")),
        r"^backup\.json: tables\.checkins\[3\]\.date: not a date \('2026-13-01', "
        r"expected YYYY-MM-DD\)$",
    ),
    "text for a pain score": (
        edit(lambda d: first_row("checkins", 3)(d).update(pain_walking="x")),
        r"backup\.json: tables\.checkins\[3\]\.pain_walking: not a whole number \('x'\)$",
    ),
    "a number for a yes/no": (
        edit(lambda d: first_row("checkins")(d).update(limp=1)),
        r"backup\.json: tables\.checkins\[0\]\.limp: not true or false \(1\)$",
    ),
    "null where a value is needed": (
        edit(lambda d: first_row("accounts")(d).update(email=None)),
        r"backup\.json: tables\.accounts\[0\]\.email: must have a value \(it is null\)$",
    ),
    "a time without a time zone": (
        edit(lambda d: first_row("activities")(d).update(start_time="2026-03-05T07:00:00")),
        r"backup\.json: tables\.activities\[0\]\.start_time: no time zone",
    ),
    "text longer than its column": (
        edit(lambda d: first_row("episodes")(d).update(side="x" * 11)),
        r"backup\.json: tables\.episodes\[0\]\.side: 11 characters, more than the 10",
    ),
    "a repeated id": (
        edit(lambda d: d["tables"]["imaging"].append(dict(first_row("imaging")(d)))),
        r"backup\.json: tables\.imaging\[1\]: id '[0-9a-f]{32}' repeats tables\.imaging\[0\] "
        r"\(must be unique\)$",
    ),
    "a dangling foreign key": (
        edit(lambda d: first_row("activities")(d).update(shoe_id="f" * 32)),
        r"^backup\.json: tables\.activities\[\d\]\.shoe_id: no shoes row has id 'f{32}' "
        r"\(a dangling reference\)$",
    ),
    "an activity dated in year 9999": (
        edit(
            lambda d: first_row("activities")(d).update(
                start_time="9999-12-31T23:00:00.000000+00:00"
            )
        ),
        r"backup\.json: tables\.activities\[0\]\.start_time: 9999-12-31 23:00:00\+00:00 is "
        r"outside 1985-2100$",
    ),
    "an onset in year 1": (
        edit(lambda d: first_row("episodes")(d).update(onset="0001-01-01")),
        r"backup\.json: tables\.episodes\[0\]\.onset: 0001-01-01 is before 1900$",
    ),
    "NaN in a number": (
        lambda text: text.replace('"weight_g": 250.0', '"weight_g": NaN'),
        r"backup\.json: not valid JSON for an archive: NaN is not a number JSON allows$",
    ),
}


@pytest.mark.parametrize("spoil", list(BAD_ARCHIVES), ids=list(BAD_ARCHIVES))
def test_an_archive_that_cannot_be_restored_is_refused_naming_where_and_nothing_is_written(
    database: Database, target: Database, spoil: str
) -> None:
    populate(database)
    change, message = BAD_ARCHIVES[spoil]
    text = change(archive.export_archive(database))

    with pytest.raises(InvalidInputError) as refused:
        archive.restore_archive(target, text, source="backup.json")

    assert re.search(message, refused.value.message), refused.value.message
    assert "\n" not in refused.value.message
    assert is_empty(target)


def test_a_row_the_database_refuses_rolls_back_every_table_and_is_named(
    database: Database, target: Database
) -> None:
    populate(database)
    data = json.loads(archive.export_archive(database))
    # A second active episode for Alice: only the database's partial unique index knows.
    second = dict(data["tables"]["episodes"][0], id="0" * 32)
    data["tables"]["episodes"].append(second)

    with pytest.raises(ConflictError) as refused:
        archive.restore_archive(target, json.dumps(data), source="backup.json")

    assert re.match(
        r"backup\.json: tables\.episodes\[\d\]: the database refused the row: "
        r".*(uq_episodes_one_active|episodes\.athlete_id)",
        refused.value.message,
    ), refused.value.message
    assert "\n" not in refused.value.message
    assert is_empty(target)
