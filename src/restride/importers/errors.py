"""Why a file gave no activity: it is damaged or unreadable, or it is not an activity at all.

Both carry the file name and a reason a user can act on, and both survive pickling, so a
worker process can hand them back to the one that started it.
"""

from __future__ import annotations


class ImportProblem(Exception):
    """A file that gave no activity; `str()` is the one-line message for the user."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        return f"{self.file}: {self.reason}"

    def __reduce__(self) -> tuple[type[ImportProblem], tuple[str, str]]:
        return (type(self), (self.file, self.reason))


class ImportFileError(ImportProblem):
    """The file is damaged, truncated past use, or in no format restride reads.

    `record` is where reading stopped when that helps: a record index or a byte offset,
    already worded (e.g. "byte 7471").
    """

    def __init__(self, file: str, reason: str, record: str | int | None = None) -> None:
        self.record = record
        super().__init__(file, reason)

    def _message(self) -> str:
        where = f" (at {self.record})" if self.record is not None else ""
        return f"{self.file}: {self.reason}{where}"

    def __reduce__(  # type: ignore[override]
        self,
    ) -> tuple[type[ImportFileError], tuple[str, str, str | int | None]]:
        return (type(self), (self.file, self.reason, self.record))


class NotAnActivity(ImportProblem):
    """A well-formed file that records no activity: settings, a workout plan, a route,
    weight-scale or all-day monitoring data. Skipped, with the reason."""
