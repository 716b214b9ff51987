"""The Typer app and what every command shares: consoles, errors, settings, database, today.

Every command module registers its commands when the CLI starts, so they import only Typer,
Rich and the standard library at the top; the database, the services and the protocols are
imported in the commands that use them. `restride --help` starts in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

if TYPE_CHECKING:
    from collections.abc import Iterator

    from restride.domain.protocol import Protocol
    from restride.services.athletes import AccountInfo
    from restride.settings import Settings
    from restride.storage.database import Database, DatabaseBusyError

# EX_TEMPFAIL (sysexits.h): "try again later"; scripts can tell it from bad input (2).
EXIT_BUSY = 75


def busy(exc: DatabaseBusyError) -> NoReturn:
    """One line saying the database is busy, and the exit code that means "retry"."""
    err.print(f"[bold red]busy:[/] {escape(str(exc))}", highlight=False)
    raise typer.Exit(EXIT_BUSY)


class _Commands(TyperGroup):
    """Every command's group: a busy database ends any command with one line and exit 75."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if type(exc).__module__ == "restride.storage.database":
                from restride.storage.database import DatabaseBusyError

                if isinstance(exc, DatabaseBusyError):
                    busy(exc)
            raise


app = typer.Typer(
    cls=_Commands,
    name="restride",
    help="restride: a pain-gated return-to-running program. It does not diagnose.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
protocol_app = typer.Typer(help="Show or check recovery protocols.", no_args_is_help=True)
app.add_typer(protocol_app, name="protocol")

out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    json = "json"
    text = "text"


def fail(message: str) -> NoReturn:
    """One clear message, exit code 2, no traceback: bad input is the user's to fix."""
    # The message quotes the user's input, which may look like Rich markup: escape it.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _protocol(name_or_file: str | None, default: str) -> Protocol:
    from restride.loading import builtin_protocol, load_protocol

    target = name_or_file or default
    if target.endswith((".yaml", ".yml")) or Path(target).exists():
        return load_protocol(target)
    return builtin_protocol(target)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (use YYYY-MM-DD)")


def settings() -> Settings:
    from restride.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc))


def today() -> dt.date:
    """The real date, unless RESTRIDE_TODAY says otherwise (demos, tests)."""
    return settings().today or dt.date.today()  # noqa: DTZ011 - the runner's local calendar day


# What to do next, in the CLI's words (services name the step; see services/errors.py).
CLI_HINTS = {
    "edit_checkin": "use --edit to change today's",
    "start_episode": "start one with `restride init`",
    "see_today": "check `restride today`",
    "see_history": "check `restride history` and edit if needed",
    "replace_all": "use --replace to delete everything there first",
    "try_again": "run the same command again",
}


def refusal(exc: Exception) -> str:
    """A refusal's message with the CLI's next step, when the service named one."""
    message = getattr(exc, "message", None) or str(exc)
    hint = getattr(exc, "hint", None)
    return f"{message}: {CLI_HINTS[hint]}" if hint in CLI_HINTS else message


@contextmanager
def guarded() -> Iterator[None]:
    """Turn every refusal (bad input, a refused action, an unusable database) into `fail`."""
    from restride.loading import InputError
    from restride.services.errors import ServiceError
    from restride.storage.database import DatabaseBusyError, DatabaseError

    try:
        yield
    except DatabaseBusyError as exc:
        busy(exc)
    except (ServiceError, InputError, DatabaseError) as exc:
        fail(refusal(exc))


def open_database(*, migrate: bool = False) -> Database:
    """The configured database; `migrate` creates or upgrades it (only `init` and `demo` do)."""
    from sqlalchemy.engine import make_url

    from restride.storage.database import Database, DatabaseBusyError, DatabaseError, is_busy

    config = settings()
    url = config.resolved_database_url()
    with guarded():
        missing = sqlite_file(url)
        if not migrate and missing is not None and not missing.exists():
            # Opening it would create an empty file: say what to do instead.
            raise DatabaseError(f"no restride database at {missing}: run `restride init` first")
        db = Database(url, busy_timeout_s=config.busy_timeout_s)
        try:
            if migrate:
                db.migrate()
            else:
                db.check_current()
        except DatabaseError:
            raise
        except Exception as exc:  # the driver's own errors: unreachable server, bad file
            if is_busy(exc):
                raise DatabaseBusyError(config.busy_timeout_s) from None
            first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            shown = make_url(url).render_as_string(hide_password=True)
            raise DatabaseError(f"cannot use the database {shown}: {first_line}") from None
        return db


def sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def local_athlete(db: Database, email: str | None) -> AccountInfo:
    """The athlete this command acts for: `--athlete`, else the only athlete there is."""
    from restride.services import athletes

    with guarded():
        if email:
            account = athletes.find_account(db, email)
            if account.role != "athlete":
                fail(f"--athlete: {account.email} is a clinician account")
            return account
        found = athletes.list_accounts(db, role="athlete")
    if not found:
        fail("no athlete yet: run `restride init` (or `restride demo`) first")
    if len(found) > 1:
        emails = ", ".join(a.email for a in found)
        fail(f"several athletes ({emails}): say which with --athlete EMAIL")
    return found[0]
