"""Activity files -> domain activities: FIT, GPX, TCX, and Strava and Garmin export zips.

Use `iter_parse` (or `parse_many` for many paths on every core) for anything a user hands
over; `parse_path` for one activity file when errors should raise.
"""

from restride.importers.errors import ImportFileError, ImportProblem, NotAnActivity
from restride.importers.registry import (
    ImportResult,
    iter_parse,
    parse_bytes,
    parse_many,
    parse_path,
    sniff,
)

__all__ = [
    "ImportFileError",
    "ImportProblem",
    "ImportResult",
    "NotAnActivity",
    "iter_parse",
    "parse_bytes",
    "parse_many",
    "parse_path",
    "sniff",
]
