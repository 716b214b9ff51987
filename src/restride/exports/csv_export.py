"""The record as CSV tables a spreadsheet opens: check-ins, sessions, clinician events, activities.

UTF-8, a header row, one row per record, ISO dates, UTC times, `true`/`false`, and an empty cell
for "not given". Text a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) gets a leading apostrophe: a note typed by one person must not become a formula
on another's computer (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from restride.domain.case import PAIN_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CHECKIN_COLUMNS: tuple[str, ...] = (
    "episode",
    "date",
    "version",
    *PAIN_FIELDS,
    "limp",
    "swelling",
    "redness",
    "night_pain",
    "bone_tenderness",
    "can_bear_weight",
    "fever",
    "numbness",
    "redness_spreading",
    "foot_pale_or_cold",
    "notes",
    "recorded_at",
)
SESSION_COLUMNS: tuple[str, ...] = (
    "episode",
    "date",
    "phase",
    "kind",
    "test",
    "planned_min",
    "done_min",
    "run_min",
    "minimalist_min",
    "pain_during",
    "pain_after",
    "rpe",
    "warmup_soreness",
    "notes",
    "recorded_at",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "episode",
    "date",
    "kind",
    "reason",
    "clinician",
    "recorded_at",
)
ACTIVITY_COLUMNS: tuple[str, ...] = (
    "start_time",
    "sport",
    "duration_s",
    "moving_s",
    "distance_m",
    "elevation_gain_m",
    "avg_hr",
    "max_hr",
    "avg_cadence",
    "device",
    "gear_name",
    "shoe",
    "source",
)
TABLES: dict[str, tuple[str, ...]] = {
    "checkins": CHECKIN_COLUMNS,
    "sessions": SESSION_COLUMNS,
    "clinician-events": EVENT_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
}


def table_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The rows as CSV bytes: the header, then each row's `columns` in that order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
