"""What a service refuses, in words the runner can act on.

A service says what was wrong in the product's words. What to do next depends on where the
runner is (a CLI flag, a web button), so a service names it with a `hint` key and the CLI and
the web each word it their own way (cli/app.py `CLI_HINTS`).
"""

from __future__ import annotations

# The next steps a refusal can point to.
HINTS = frozenset(
    {
        "edit_checkin",  # change today's check-in instead
        "start_episode",  # there is no injury episode yet
        "see_today",  # look at today's decision: someone else just changed it
        "see_history",  # look at the record: someone else just wrote it
        "replace_all",  # restore over what is there, deleting it
        "try_again",  # a race with another session: the same action again
    }
)


class ServiceError(Exception):
    """Refused input or action; the message names what and where, and nothing was written."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None and hint not in HINTS:
            raise ValueError(f"unknown hint {hint!r}")
        self.message = message
        self.hint = hint


class NotFoundError(ServiceError):
    pass


class ConflictError(ServiceError):
    pass


class InvalidInputError(ServiceError):
    pass


class ForbiddenError(ServiceError):
    pass
