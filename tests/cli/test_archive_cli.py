"""`restride export` and `restride restore` on the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from restride.cli import app
from restride.services import archive
from restride.storage.database import Database
from tests.cli.test_evaluate import assert_one_clear_error
from tests.conftest import drop_postgres, fresh_postgres_url
from tests.services.test_archive import BAD_ARCHIVES, is_empty, populate, row_counts


def restride(db_url: str, *args: str, stdin: str | bytes | None = None) -> Any:
    runner = CliRunner(env={"RESTRIDE_DATABASE_URL": db_url, "RESTRIDE_TODAY": None})
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture
def fresh_url(database: Database, tmp_path: Path) -> Iterator[str]:
    """Where a new install of the same kind as `database` would keep its data: nothing there yet."""
    if database.dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'restride.db'}"
        return
    name = f"restride_cli_fresh_{os.getpid()}"
    yield fresh_postgres_url(name)
    drop_postgres(name)


def test_export_to_a_file_then_restore_on_a_fresh_install_gives_the_same_archive(
    database: Database, fresh_url: str, tmp_path: Path
) -> None:
    populate(database)
    backup = tmp_path / "backup.json"

    exported = restride(database.url, "export", str(backup))
    restored = restride(fresh_url, "restore", str(backup))
    again = restride(fresh_url, "export")

    assert exported.exit_code == 0, exported.output
    assert exported.stdout == ""
    total = sum(row_counts(database).values())
    assert exported.stderr.startswith(f"exported {total} rows to {backup} (2 accounts, ")
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"restored {total} rows from {backup}\n")
    table_lines = [line.split() for line in restored.stdout.splitlines()[1:]]
    assert table_lines == [[name, str(n)] for name, n in row_counts(database).items()]
    assert again.exit_code == 0, again.output
    assert again.stdout.encode("utf-8") == backup.read_bytes()


@pytest.mark.parametrize("args", [["export"], ["export", "-"]], ids=["no file", "dash"])
def test_export_without_a_file_writes_the_archive_to_standard_output(
    database: Database, args: list[str]
) -> None:
    populate(database)

    result = restride(database.url, *args)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == archive.export_archive(database)


def test_export_replaces_an_old_archive_whole_and_leaves_no_temporary_file(
    database: Database, tmp_path: Path
) -> None:
    populate(database)
    backup = tmp_path / "backup.json"
    backup.write_text("an older archive", encoding="utf-8")

    result = restride(database.url, "export", str(backup))

    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["backup.json"]
    assert json.loads(backup.read_text("utf-8"))["format"] == "restride-archive"
    # It holds password hashes: readable by its owner only.
    assert backup.stat().st_mode & 0o077 == 0


def test_a_failed_export_leaves_the_old_archive_as_it_was(tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text("an older archive", encoding="utf-8")
    never_initialised = f"sqlite:///{tmp_path / 'new.db'}"

    result = restride(never_initialised, "export", str(backup))

    assert_one_clear_error(result, "restride init")
    assert backup.read_text("utf-8") == "an older archive"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup")] == []


def test_export_into_a_missing_folder_is_one_clear_error(
    database: Database, tmp_path: Path
) -> None:
    result = restride(database.url, "export", str(tmp_path / "nowhere" / "backup.json"))

    assert_one_clear_error(result, "backup.json: cannot write the archive: No such file")
    assert list(tmp_path.iterdir()) == []


def test_restore_reads_the_archive_from_standard_input(database: Database, fresh_url: str) -> None:
    populate(database)
    text = archive.export_archive(database)

    result = restride(fresh_url, "restore", "-", stdin=text.encode("utf-8"))

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("restored ")
    assert "from stdin" in result.stdout
    assert restride(fresh_url, "export").stdout == text


def test_restore_refuses_a_database_with_data_and_replace_overwrites_it(
    database: Database, tmp_path: Path
) -> None:
    populate(database)
    backup = tmp_path / "backup.json"
    backup.write_text(archive.export_archive(database), encoding="utf-8")
    before = row_counts(database)

    refused = restride(database.url, "restore", str(backup))

    assert_one_clear_error(refused, f"{backup}: the database already holds data", "--replace")
    assert row_counts(database) == before

    replaced = restride(database.url, "restore", str(backup), "--replace")

    assert replaced.exit_code == 0, replaced.output
    assert "replacing what was there" in replaced.stdout
    assert archive.export_archive(database) == backup.read_text("utf-8")


CLI_REFUSALS = [
    "corrupt JSON",
    "a truncated file",
    "a newer version",
    "an unknown table",
    "an unknown column",
    "a bad date in row 3",
    "a dangling foreign key",
]


@pytest.mark.parametrize("spoil", CLI_REFUSALS)
def test_restoring_a_bad_archive_is_one_clear_line_exit_2_and_writes_nothing(
    database: Database, fresh_url: str, tmp_path: Path, spoil: str
) -> None:
    populate(database)
    change, _message = BAD_ARCHIVES[spoil]
    backup = tmp_path / "backup.json"
    backup.write_text(change(archive.export_archive(database)), encoding="utf-8")

    result = restride(fresh_url, "restore", str(backup))

    assert_one_clear_error(result, f"error: {backup}: ")
    target = Database(fresh_url)
    try:
        assert is_empty(target)
    finally:
        target.dispose()


def test_restoring_a_newer_archive_says_to_upgrade(database: Database, tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text(
        json.dumps({"format": "restride-archive", "version": 2, "schema": "0009", "tables": {}}),
        encoding="utf-8",
    )

    result = restride(database.url, "restore", str(backup))

    assert_one_clear_error(
        result,
        f"error: {backup}: archive version 2 is newer than this restride reads (1): "
        "upgrade restride",
    )


def test_restoring_a_missing_file_or_one_that_is_not_text_is_one_clear_error(
    database: Database, tmp_path: Path
) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not an archive")

    missing = restride(database.url, "restore", str(tmp_path / "gone.json"))
    not_text = restride(database.url, "restore", str(binary))

    assert_one_clear_error(missing, "gone.json: cannot read the archive: No such file")
    assert_one_clear_error(not_text, "photo.jpg: not UTF-8 text (byte 0 ")
    assert is_empty(database)
