"""The whole database as one versioned JSON archive: `export_archive` and `restore_archive`.

The archive holds every row of every table, `accounts.password_hash` included: it is a full
backup of one's own data, so keep it as private as the database itself. Its text is canonical
(rows sorted by primary key, keys sorted, UTC times with microseconds, floats always as floats),
so export -> restore -> export gives the same bytes on SQLite and on PostgreSQL.

Columns come from the table metadata, so a column added by a migration is archived without a
change here. A restore checks the whole archive before it writes anything, then inserts every
table in one transaction: it lands completely or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.types import TypeDecorator

from restride.domain.activity import EARLIEST_START, LATEST_START
from restride.services.errors import ConflictError, InvalidInputError
from restride.storage.database import alembic_config
from restride.storage.repository import EARLIEST_ONSET
from restride.storage.tables import Base

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.orm import Session

    from restride.storage.database import Database

FORMAT = "restride-archive"
VERSION = 1
# Rows per INSERT: large enough to be quick, small enough to find a refused row fast.
BATCH_ROWS = 500

Row = dict[str, Any]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL_TOKEN = re.compile(r"[-+.\deE]*|t(r(ue?)?)?|f(a(l(se?)?)?)?|n(u(ll?)?)?")
_INT_BITS = {sa.SmallInteger: 16, sa.BigInteger: 64, sa.Integer: 32}
# How the values of each column type are written in the archive.
_KINDS = (
    ("bool", sa.Boolean),
    ("datetime", sa.DateTime),
    ("date", sa.Date),
    ("int", sa.Integer),
    ("float", sa.Float),
    ("str", sa.String),
)


class _Refused(ValueError):
    """A value that cannot go in its column; the message says why, the caller says where."""


# Sign-in state is not part of the record: a restored install asks everyone to sign in again,
# and secrets such as reset codes and calendar-feed links never travel in a backup.
SIGN_IN_STATE = frozenset(
    {
        "web_sessions",
        "invite_codes",
        "reset_codes",
        "calendar_tokens",
        "sign_in_failures",
        "trusted_devices",
    }
)
# The athlete's computed day is derived from the record and recomputed after a restore; a
# background job's record is about this install's work, not the runner's.
DERIVED = frozenset({"athlete_days", "jobs"})
ARCHIVED_TABLES = [t for t in Base.metadata.sorted_tables if t.name not in SIGN_IN_STATE | DERIVED]


def _sql_type(column: Column[Any]) -> Any:
    sql_type = column.type
    return sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else sql_type


def _kind(column: Column[Any]) -> str:
    """How a column's values are written in the archive: bool, datetime, date, int, float, str."""
    sql_type = _sql_type(column)
    for kind, types in _KINDS:
        if isinstance(sql_type, types):
            return kind
    raise TypeError(f"the archive cannot hold {column.table.name}.{column.name} ({sql_type})")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    shown = repr(value) if isinstance(value, str) else json.dumps(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# --- export -------------------------------------------------------------------------------------


def export_archive(db: Database) -> str:
    """Every row of every table as the archive's canonical JSON text."""
    return export_with_counts(db)[0]


def export_with_counts(db: Database) -> tuple[str, dict[str, int]]:
    """The archive text and how many rows of each table it holds."""
    db.check_current()
    tables: dict[str, list[Row]] = {}
    with db.transaction() as tx:
        if db.dialect == "postgresql":
            # One snapshot for every table: a check-in saved mid-export cannot half-appear.
            tx.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        for table in ARCHIVED_TABLES:
            tables[table.name] = _export_table(tx, table)
    archive = {
        "format": FORMAT,
        "version": VERSION,
        "schema": db.head_revision(),
        "tables": tables,
    }
    # No export time: it would make two exports of the same data differ.
    rendered = json.dumps(archive, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return rendered + "\n", {name: len(rows) for name, rows in tables.items()}


def _export_table(tx: Session, table: Table) -> list[Row]:
    key = list(table.primary_key.columns)
    # Sorted here, not by ORDER BY: PostgreSQL's collation may order text unlike SQLite's.
    rows = sorted(
        tx.execute(sa.select(table)).mappings(), key=lambda row: tuple(row[c] for c in key)
    )
    kinds = {column.name: _kind(column) for column in table.columns}
    exported = []
    for index, row in enumerate(rows):
        exported.append(
            {
                name: _to_json(row[name], kind, f"tables.{table.name}[{index}].{name}")
                for name, kind in kinds.items()
            }
        )
    return exported


def _to_json(value: Any, kind: str, where: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        # float() always: SQLite may hand back 5 where PostgreSQL gives 5.0.
        number = float(value)
        if not math.isfinite(number):
            raise InvalidInputError(f"{where}: {number} cannot be written in a JSON archive")
        return number
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        if value.tzinfo is None:  # a plain DateTime column on SQLite: stored as UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return str(value)


# --- restore ------------------------------------------------------------------------------------


def restore_archive(
    db: Database, text: str, *, replace: bool = False, source: str = "archive"
) -> dict[str, int]:
    """Load an archive into an empty database (or, with `replace`, instead of what is there).

    Returns the rows restored per table. Raises `InvalidInputError` for an archive that cannot
    be restored and `ConflictError` when the database refuses it; then nothing was written.
    """
    rows = read_archive(db, text, source=source)
    try:
        with db.transaction() as tx:
            present = {
                table.name: tx.scalar(sa.select(sa.func.count()).select_from(table)) or 0
                for table in ARCHIVED_TABLES
            }
            if any(present.values()):
                if not replace:
                    held = ", ".join(f"{n} {name}" for name, n in present.items() if n)
                    raise ConflictError(
                        f"{source}: the database already holds data ({held}): restore into an "
                        "empty database, or replace everything there",
                        hint="replace_all",
                    )
                for table in reversed(Base.metadata.sorted_tables):  # sign-in state too
                    tx.execute(table.delete())
            for table in ARCHIVED_TABLES:
                _insert(tx, table, rows[table.name], source)
    except _Refused as exc:
        raise ConflictError(str(exc)) from None
    return {name: len(table_rows) for name, table_rows in rows.items()}


def _insert(tx: Session, table: Table, rows: list[Row], source: str) -> None:
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        try:
            with tx.begin_nested():
                tx.execute(table.insert(), batch)
        except (IntegrityError, DataError):
            # Which row? Insert the batch again one row at a time: the first refusal names it.
            # The whole transaction is rolled back anyway when this raises.
            for offset, row in enumerate(batch):
                try:
                    tx.execute(table.insert(), row)
                except (IntegrityError, DataError) as exc:
                    where = f"tables.{table.name}[{start + offset}]"
                    raise _Refused(
                        f"{source}: {where}: the database refused the row: {_reason(exc)}"
                    ) from None
            raise _Refused(
                f"{source}: tables.{table.name}[{start}:{start + len(batch)}]: "
                "the database refused these rows"
            ) from None


def _reason(exc: IntegrityError | DataError) -> str:
    lines = [line.strip() for line in str(exc.orig or exc).splitlines() if line.strip()]
    return "; ".join(lines)


def read_archive(db: Database, text: str, *, source: str = "archive") -> dict[str, list[Row]]:
    """The archive's rows, parsed and checked against the tables, ready to insert."""

    def bad(message: str) -> InvalidInputError:
        return InvalidInputError(f"{source}: {message}")

    if not text.strip():
        raise bad("the archive is empty")
    try:
        data = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_repeats)
    except json.JSONDecodeError as exc:
        truncated = _cut_short(text, exc)
        hint = ": the archive ends too early (truncated?)" if truncated else ""
        raise bad(
            f"line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg}){hint}"
        ) from None
    except _Refused as exc:
        raise bad(f"not valid JSON for an archive: {exc}") from None

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = _show(data.get("format")) if isinstance(data, dict) else _show(data)
        raise bad(f"not a restride archive (format {found}, expected {FORMAT!r})")
    version = data.get("version")
    if type(version) is not int:
        raise bad(f"version: {_show(version)} is not a whole number")
    if version > VERSION:
        raise bad(
            f"archive version {version} is newer than this restride reads ({VERSION}): "
            "upgrade restride"
        )
    if version < 1:
        raise bad(f"version: {version} is not an archive version (1 to {VERSION})")
    extra = sorted(set(data) - {"format", "version", "schema", "tables"})
    if extra:
        raise bad(f"{extra[0]}: not part of a version {VERSION} archive")

    head = db.head_revision()
    schema = data.get("schema")
    script = ScriptDirectory.from_config(alembic_config(db.engine))
    known = {revision.revision for revision in script.walk_revisions()}
    if not isinstance(schema, str) or schema not in known:
        raise bad(
            f"schema: {_show(schema)} is not a database schema this restride knows "
            f"(its newest is {head}): upgrade restride if the archive comes from a newer one"
        )
    note = "" if schema == head else f" (the archive has schema {schema}, this restride {head})"

    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise bad(f"tables: {_show(tables)} is not an object of tables")
    names = [table.name for table in ARCHIVED_TABLES]
    for name in sorted(tables):
        if name not in Base.metadata.tables:
            raise bad(f"tables.{name}: no such table in restride ({', '.join(sorted(names))})")
    rows: dict[str, list[Row]] = {}
    try:
        for table in ARCHIVED_TABLES:
            if table.name not in tables:
                raise _Refused(f"tables.{table.name}: missing (an archive lists every table)")
            rows[table.name] = _read_table(table, tables[table.name], note)
        _check_keys(rows)
        _check_dates(rows)
    except _Refused as exc:
        raise bad(str(exc)) from None
    return rows


def _check_dates(rows: dict[str, list[Row]]) -> None:
    """Dates no page or analysis can hold are refused here, where they enter, as in imports."""
    for i, row in enumerate(rows.get("activities", [])):
        start = row.get("start_time")
        if start is not None and not EARLIEST_START <= start < LATEST_START:
            raise _Refused(f"tables.activities[{i}].start_time: {start} is outside 1985-2100")
    for i, row in enumerate(rows.get("episodes", [])):
        onset = row.get("onset")
        if onset is not None and onset < EARLIEST_ONSET:
            raise _Refused(f"tables.episodes[{i}].onset: {onset} is before 1900")


def _cut_short(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether the text stops where the JSON parser stopped: a file cut off while written."""
    # An unterminated string runs to the end of the text; a word or number may be cut in half.
    rest = text[exc.pos :].rstrip()
    return exc.msg.startswith("Unterminated string") or bool(_PARTIAL_TOKEN.fullmatch(rest))


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows")


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Refused(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


def _read_table(table: Table, rows: Any, note: str) -> list[Row]:
    if not isinstance(rows, list):
        raise _Refused(f"tables.{table.name}: {_show(rows)} is not a list of rows")
    columns = list(table.columns)
    kinds = {column.name: _kind(column) for column in columns}
    parsed: list[Row] = []
    for index, row in enumerate(rows):
        where = f"tables.{table.name}[{index}]"
        if not isinstance(row, dict):
            raise _Refused(f"{where}: {_show(row)} is not a row (an object)")
        unknown = sorted(set(row) - set(kinds))
        if unknown:
            raise _Refused(f"{where}.{unknown[0]}: no such column in {table.name}{note}")
        missing = [name for name in kinds if name not in row]
        if missing:
            raise _Refused(f"{where}: the column {missing[0]!r} is missing{note}")
        values: Row = {}
        for column in columns:
            try:
                values[column.key] = _from_json(row[column.name], column, kinds[column.name])
            except _Refused as exc:
                raise _Refused(f"{where}.{column.name}: {exc}") from None
        parsed.append(values)
    return parsed


def _from_json(value: Any, column: Column[Any], kind: str) -> Any:
    if value is None:
        if column.nullable:
            return None
        raise _Refused("must have a value (it is null)")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise _Refused(f"not true or false ({_show(value)})")
    if kind == "int":
        if type(value) is not int:
            raise _Refused(f"not a whole number ({_show(value)})")
        bits = next(b for t, b in _INT_BITS.items() if isinstance(_sql_type(column), t))
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise _Refused(f"{value} is too large for the column")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Refused(f"not a number ({_show(value)})")
        try:
            number = float(value)
        except OverflowError:  # a whole number too large for any float
            number = math.inf
        if not math.isfinite(number):  # json reads 1e400 as infinity
            raise _Refused(f"{_show(value)} is too large for the column")
        return number
    if not isinstance(value, str):
        raise _Refused(f"not text ({_show(value)})")
    if kind == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Refused(f"not a date ({_show(value)}, expected YYYY-MM-DD)") from None
    if kind == "datetime":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _Refused(f"not a date and time ({_show(value)})") from None
        if moment.tzinfo is None:
            raise _Refused(f"no time zone ({_show(value)}): write it in UTC, ending +00:00")
        return moment.astimezone(dt.UTC)
    length = getattr(_sql_type(column), "length", None)
    if length is not None and len(value) > length:
        raise _Refused(f"{len(value)} characters, more than the {length} the column holds")
    if "\x00" in value:
        # SQLite keeps it, PostgreSQL refuses it: refuse it on both.
        raise _Refused("contains a NUL character")
    return value


def _check_keys(rows: dict[str, list[Row]]) -> None:
    """Repeated ids, repeated unique values and dangling references, before writing anything.

    Partial unique indexes (one active episode, one open share) are left to the database.
    """
    for table in ARCHIVED_TABLES:
        uniques = [list(table.primary_key.columns)] + [
            list(c.columns) for c in table.constraints if isinstance(c, sa.UniqueConstraint)
        ]
        for columns in uniques:
            seen: dict[tuple[Any, ...], int] = {}
            for index, row in enumerate(rows[table.name]):
                values = tuple(row[c.key] for c in columns)
                if None in values:
                    continue
                if values in seen:
                    names = ", ".join(c.name for c in columns)
                    raise _Refused(
                        f"tables.{table.name}[{index}]: {names} {_values(values)} repeats "
                        f"tables.{table.name}[{seen[values]}] (must be unique)"
                    )
                seen[values] = index
        for constraint in table.foreign_key_constraints:
            _check_references(rows, table, constraint)


def _check_references(
    rows: dict[str, list[Row]], table: Table, constraint: sa.ForeignKeyConstraint
) -> None:
    parents = list(constraint.columns)
    targets = [element.column for element in constraint.elements]
    referred = constraint.referred_table
    present = {tuple(row[c.key] for c in targets) for row in rows[referred.name]}
    for index, row in enumerate(rows[table.name]):
        values = tuple(row[c.key] for c in parents)
        if None in values or values in present:
            continue
        names = ", ".join(c.name for c in targets)
        raise _Refused(
            f"tables.{table.name}[{index}].{parents[0].name}: no {referred.name} row has "
            f"{names} {_values(values)} (a dangling reference)"
        )


def _values(values: tuple[Any, ...]) -> str:
    return ", ".join(_show(v.isoformat() if isinstance(v, dt.date) else v) for v in values)
