"""`restride evaluate`, `protocol show|check` and `schema`: the engine on files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from restride.cli.app import Format, _date, _protocol, app, err, fail, out, protocol_app
from restride.cli.render import print_decision, print_protocol

__all__ = ["err"]


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
    from restride.domain.decide import decide
    from restride.loading import InputError, demo_case, demo_names, read_case

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
    site: Annotated[
        str | None,
        typer.Option(
            help="Your injury site, e.g. metatarsal_4_shaft: each item then says what is "
            "spared for it."
        ),
    ] = None,
    side: Annotated[
        str | None,
        typer.Option(metavar="left|right|both", help="The injured side (with --site)."),
    ] = None,
) -> None:
    """Print a protocol week by week, so it can be followed from the printout alone."""
    import datetime as dt
    from functools import partial

    from restride.cli.prompts import choice, given_or_fail, site_id
    from restride.domain.case import Injury
    from restride.loading import InputError

    injury = None
    if site is not None or side is not None:
        if site is None or side is None:
            fail("--site and --side go together: say where the injury is and on which side")
        if fmt is not Format.text:
            fail("--site and --side change the text printout: leave out --format json")
        where = given_or_fail("--site", site_id, site)
        which = given_or_fail("--side", partial(choice, choices=("left", "right", "both")), side)
        # What is spared depends on the site and the side only, not on when it began.
        injury = Injury(site=where, side=which, onset=dt.date(2000, 1, 1))  # type: ignore[arg-type]
    try:
        chosen = _protocol(name, name)
    except InputError as exc:
        fail(exc.message)
    if fmt is Format.json:
        sys.stdout.write(chosen.model_dump_json(indent=2, by_alias=True) + "\n")
    else:
        print_protocol(out, chosen, injury)


@protocol_app.command("check")
def protocol_check(
    file: Annotated[Path, typer.Argument(help="The protocol YAML file to check.")],
) -> None:
    """Check a protocol file: every problem is printed with its field path; exit 2 if any."""
    from restride.loading import InputError, load_protocol

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
    from restride.contract import contract_schemas, render

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
