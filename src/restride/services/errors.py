"""What a service refuses, in words the runner can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """Refused input or action; the message names what and where, and nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(ServiceError):
    pass


class ConflictError(ServiceError):
    pass


class InvalidInputError(ServiceError):
    pass


class ForbiddenError(ServiceError):
    pass
