"""Parsing and asking for the daily commands: each parser raises ValueError with a message a
runner can act on, and `given_or_fail` turns it into one `error:` line naming the option."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar, get_args

import typer
from pydantic import ValidationError
from rich.markup import escape

from restride.cli.app import err, fail, guarded, open_database
from restride.domain.anatomy import SITE_IDS, SITES
from restride.domain.case import PAIN_FIELDS, Imaging, ImagingResult, Modality

if TYPE_CHECKING:
    from restride.storage.database import Database

T = TypeVar("T")
ZERO_TO_TEN = ("pain_during", "rpe", *PAIN_FIELDS)


def choice(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
    return value


def site_id(value: str) -> str:
    if value not in SITES:
        raise ValueError(f"unknown injury site {value!r}; known sites: {', '.join(SITE_IDS)}")
    return value


def past_day(now: dt.date) -> Callable[[str], dt.date]:
    def parse(value: str) -> dt.date:
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from None
        if day > now:
            raise ValueError(f"{day} is in the future (today is {now})")
        return day

    return parse


def imaging_parser(now: dt.date) -> Callable[[str], Imaging]:
    def parse(value: str) -> Imaging:
        parts = value.split(":")
        if len(parts) != 3:
            raise ValueError(
                f"{value!r} is not DATE:MODALITY:RESULT (e.g. 2026-02-16:xray:negative)"
            )
        day = past_day(now)(parts[0])
        modality = choice(parts[1], get_args(Modality))
        result = choice(parts[2], get_args(ImagingResult))
        return Imaging(date=day, modality=modality, result=result)  # type: ignore[arg-type]

    return parse


def given_or_fail(option: str, parse: Callable[[str], T], value: str) -> T:
    try:
        return parse(value)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def ask_until_valid(question: str, parse: Callable[[str], T], default: str | None = None) -> T:
    """Ask until the answer parses."""
    while True:
        answer = str(typer.prompt(question, default=default))
        try:
            return parse(answer)
        except ValueError as exc:
            err.print(f"  {escape(str(exc))}", highlight=False)


def ask_pain(question: str, default: int) -> int:
    while True:
        answer = int(typer.prompt(f"{question}, 0-10", default=default, type=int))
        if 0 <= answer <= 10:
            return answer
        err.print(f"  0 to 10, please (got {answer})", highlight=False)


def one_line(exc: ValidationError) -> str:
    """A pydantic error as `pain_walking: must be 0-10 (got 12)`."""
    item = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    if field in ZERO_TO_TEN and item["type"] in ("less_than_equal", "greater_than_equal"):
        message = "must be 0-10"
    if "input" in item and not isinstance(item["input"], dict | list):
        message += f" (got {item['input']!r})"
    return f"{field}: {message}" if field else message


@contextmanager
def opened(*, migrate: bool = False) -> Iterator[Database]:
    """The database; every refusal inside becomes one line and exit code 2."""
    db = open_database(migrate=migrate)
    try:
        with guarded():
            yield db
    except ValidationError as exc:
        fail(one_line(exc))
    finally:
        db.dispose()


def database_location(db: Database) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(db.url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    return url.render_as_string(hide_password=True)
