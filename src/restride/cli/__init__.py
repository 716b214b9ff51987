"""restride's command line: Typer commands that parse input, call the core and print."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from restride.cli.render import print_decision, print_protocol
from restride.contract import contract_schemas, render
from restride.domain.decide import decide
from restride.loading import (
    InputError,
    builtin_protocol,
    demo_case,
    demo_names,
    load_protocol,
    read_case,
)

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol

app = typer.Typer(
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


@app.command()
def evaluate(
    case_file: Annotated[
        str | None, typer.Argument(metavar="CASE.json", help="The case file, or - for stdin.")
    ] = None,
    demo: Annotated[str | None, typer.Option(help="Evaluate a bundled demo case instead.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="json (default) or text.")] = Format.json,
    today: Annotated[
        str | None, typer.Option(help="Decide as of this date (YYYY-MM-DD) instead of the case's.")
    ] = None,
    protocol: Annotated[
        str | None, typer.Option(help="A protocol name or YAML file (default: the case's).")
    ] = None,
) -> None:
    """Print today's decision for a case: phase, action, referral, reasons and today's items."""
    try:
        if (case_file is None) == (demo is None):
            fail(
                "give a CASE.json file (or - for stdin), or --demo NAME; demos: "
                + ", ".join(demo_names())
            )
        case = demo_case(demo) if demo is not None else read_case(str(case_file))
        as_of = _date(today, "--today")
        if as_of is not None and as_of < case.program_start:
            fail(f"--today: {as_of} is before the program start ({case.program_start})")
        chosen = _protocol(protocol, case.protocol)
        decision = decide(chosen, case, as_of)
    except InputError as exc:
        fail(exc.message)
    if fmt is Format.json:
        sys.stdout.write(decision.model_dump_json(indent=2) + "\n")
    else:
        print_decision(out, decision, chosen)


@protocol_app.command("show")
def protocol_show(
    name: Annotated[
        str, typer.Argument(help="A built-in protocol name or a YAML file.")
    ] = "ten-steps",
    fmt: Annotated[Format, typer.Option("--format", help="text (default) or json.")] = Format.text,
) -> None:
    """Print a protocol week by week, so it can be followed from the printout alone."""
    try:
        chosen = _protocol(name, name)
    except InputError as exc:
        fail(exc.message)
    if fmt is Format.json:
        sys.stdout.write(chosen.model_dump_json(indent=2, by_alias=True) + "\n")
    else:
        print_protocol(out, chosen)


@protocol_app.command("check")
def protocol_check(
    file: Annotated[Path, typer.Argument(help="The protocol YAML file to check.")],
) -> None:
    """Check a protocol file: every problem is printed with its field path; exit 2 if any."""
    try:
        checked = load_protocol(file)
    except InputError as exc:
        fail(exc.message)
    out.print(
        escape(
            f"{file}: OK — protocol {checked.id!r} v{checked.version}, "
            f"{len(checked.phases)} phases, {len(checked.rules)} rules"
        ),
        highlight=False,
    )


@app.command()
def schema(
    name: Annotated[str | None, typer.Argument(help="case, decision or protocol.")] = None,
    write: Annotated[
        Path | None, typer.Option(help="Write every schema as NAME.schema.json into this folder.")
    ] = None,
) -> None:
    """Print (or write) the JSON Schema of the case, decision or protocol format."""
    schemas = contract_schemas()
    if write is not None:
        write.mkdir(parents=True, exist_ok=True)
        for key, value in schemas.items():
            (write / f"{key}.schema.json").write_text(render(value), encoding="utf-8")
        out.print(escape(f"wrote {len(schemas)} schemas to {write}"), highlight=False)
        return
    if name not in schemas:
        fail(f"which schema? one of: {', '.join(schemas)}")
    sys.stdout.write(json.dumps(schemas[name], indent=2, sort_keys=True) + "\n")


def main() -> None:
    app()
