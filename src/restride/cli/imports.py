"""`restride import`, `restride insights` and `restride shoes`: training history (commands on
`app`).

`import` reads files, folders and export zips on every core with a progress bar, then reports
each file that was not simply imported: duplicates (with --verbose), skipped and failed, with
why. It exits 0 when anything was read, even if some files failed, and 2 when nothing was.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from restride.cli.app import app, err, fail, local_athlete, out
from restride.cli.app import today as current_day
from restride.cli.daily import AthleteOption
from restride.cli.prompts import opened, past_day
from restride.domain.evidence import DISCLAIMER

if TYPE_CHECKING:
    from restride.services import insights
    from restride.services.imports import FileOutcome, ImportReport

SHORT = {"imported": "new", "duplicate": "known", "skipped": "skipped", "failed": "failed"}
shoes_app = typer.Typer(help="Your shoes: the distance in each, and how minimalist each is.")
app.add_typer(shoes_app, name="shoes")


def local_zone() -> dt.tzinfo:
    """The zone of this computer: a run at 23:30 counts on the runner's day, not UTC's."""
    return dt.datetime.now(dt.UTC).astimezone().tzinfo or dt.UTC


# --- import ---------------------------------------------------------------------------------------


@app.command("import")
def import_files(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Activity files (FIT, GPX, TCX, gzipped or not), folders, or export zips "
            "(Strava, Garmin Connect).",
            show_default=False,
        ),
    ],
    athlete: AthleteOption = None,
    shoe: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="The shoe of runs and walks whose files name none."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes reading files (default: every core).")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List the duplicates too.")
    ] = False,
) -> None:
    """Import activities; run it again after an interruption and it carries on where it stopped."""
    from restride.services import imports, insights

    if workers is not None and workers < 1:
        fail(f"--workers: at least 1 (got {workers})")
    with opened() as db:
        account = local_athlete(db, athlete)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            auto_refresh=False,  # no refresh thread while reader processes start
            disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task("reading", total=None)
            counts = {"imported": 0, "duplicate": 0, "skipped": 0, "failed": 0}

            def progress(outcome: FileOutcome, done: int, total: int) -> None:
                counts[outcome.status] += 1
                words = ", ".join(f"{n} {SHORT[status]}" for status, n in counts.items() if n)
                bar.update(task, completed=done, total=total, description=words, refresh=True)

            report = imports.import_paths(
                db, account.id, paths, workers=workers, default_shoe=shoe, progress=progress
            )
        warnings = insights.new_activity_warnings(
            db, account.id, report.new_activity_ids, today=current_day(), zone=local_zone()
        )
    print_report(report, verbose=verbose)
    for finding in warnings:
        out.print(
            f"[bold yellow]warning[/] ({', '.join(finding.evidence) or 'restride [I]'}): "
            f"{escape(finding.title)}. {escape(finding.detail)}",
            highlight=False,
        )
    if not report.having("imported") and not report.having("duplicate"):
        fail("nothing could be read as an activity" if report.files else "no files found")


def print_report(report: ImportReport, *, verbose: bool = False) -> None:
    imported, duplicates = report.having("imported"), report.having("duplicate")
    skipped, failed = report.having("skipped"), report.having("failed")
    activities = sum(f.activities for f in imported)
    out.print(
        f"Imported {len(imported)} files: {activities} activities"
        f" ({report.records:,} records, {report.size_bytes / 1e6:.1f} MB read).",
        highlight=False,
    )
    partial = report.partial
    if partial:
        out.print(
            f"{len(partial)} were cut short: kept what was read before the break, marked partial:",
            highlight=False,
        )
        for f in partial:
            note = next((w for w in f.warnings if "cut" in w or "break" in w), "cut short")
            out.print(f"  {escape(f.source)}: {escape(note)}", highlight=False)
    out.print(
        f"Duplicates: {len(duplicates)} (already stored, or the same activity from another"
        " source)" + (":" if verbose and duplicates else "."),
        highlight=False,
    )
    if verbose:
        for f in duplicates:
            out.print(f"  {escape(f.source)}: {escape(f.reason)}", highlight=False)
    for title, outcomes in (("Skipped (not activities)", skipped), ("Failed", failed)):
        if outcomes:
            out.print(f"{title}: {len(outcomes)}:", highlight=False)
            for f in outcomes:
                out.print(f"  {escape(f.source)}: {escape(f.reason)}", highlight=False)
    if report.shoes_created:
        names = ", ".join(report.shoes_created)
        out.print(
            f"New shoes from the files' gear: {escape(names)}. Describe each with "
            "`restride shoes add NAME --weight-g ... --stack-mm ... --drop-mm ...` to see how "
            "minimalist it is (MIN-6).",
            highlight=False,
        )
    if failed and (imported or duplicates):
        out.print(
            f"{len(failed)} files could not be imported (above); the others were.",
            highlight=False,
        )


# --- insights -------------------------------------------------------------------------------------


@app.command("insights")
def insights_command(
    episode_onset: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="When the pain began (default: the injury episode's onset, else today).",
        ),
    ] = None,
    weeks: Annotated[
        int, typer.Option(help="How many weeks before the onset to look at, 4-26.")
    ] = 8,
    athlete: AthleteOption = None,
) -> None:
    """What in the weeks before an injury stands out: spikes, ramps, shoes, monotony, asymmetry."""
    from restride.services import insights

    now = current_day()
    onset = None
    if episode_onset is not None:
        try:
            onset = past_day(now)(episode_onset)
        except ValueError as exc:
            fail(f"--episode-onset: {exc}")
    with opened() as db:
        account = local_athlete(db, athlete)
        found = insights.injury_post_mortem(
            db, account.id, today=now, onset=onset, weeks=weeks, zone=local_zone()
        )
    print_insights(found)


def print_insights(found: insights.Insights) -> None:
    from restride.domain.load import CAVEATS

    pm = found.post_mortem
    site = f", {found.site.replace('_', ' ')}" if found.site else ""
    out.print(
        f"[bold]The {found.weeks} weeks before {pm.onset}[/] (onset from {found.onset_from}"
        f"{escape(site)}): {pm.activities} activities from {pm.window_start}.",
        highlight=False,
    )
    if found.demo_data:
        out.print(
            "[dim]The activities are demo data restride generated from runner C's email, not "
            "recordings.[/]",
            highlight=False,
        )
    if not pm.activities:
        out.print(
            "Nothing to look at: import your watch history with `restride import PATH`.",
            highlight=False,
        )
        return
    table = Table("week of", "runs", "run min", "run km", "longest", "other min", "minimalist")
    for w in pm.weeks:
        share = "-" if w.minimalist_share is None else f"{w.minimalist_share:.0%}"
        table.add_row(
            str(w.start),
            str(w.runs),
            f"{w.run_min:.0f}",
            f"{w.run_km:.1f}",
            f"{w.longest_run_min:.0f}",
            f"{w.other_min:.0f}",
            share,
        )
    out.print(table)
    if not pm.findings:
        out.print("Nothing stands out against the rules restride checks.", highlight=False)
    else:
        out.print("[bold]What stands out, most telling first[/]")
    for rank, f in enumerate(pm.findings, 1):
        evidence = ", ".join(f.evidence) if f.evidence else "no CLINICAL.md rule [I]"
        out.print(f"{rank}. [bold]{escape(f.title)}[/] ({escape(evidence)})", highlight=False)
        out.print(f"   {escape(f.detail)}", highlight=False)
        out.print(f"   [dim]Evidence: {escape(f.caveat)}[/]", highlight=False)
    ratios = [
        f"{v:.2f} ({how})"
        for v, how in ((pm.acwr_rolling, "7 over 28 days"), (pm.acwr_ewma, "EWMA"))
        if v is not None
    ]
    if ratios:
        out.print(
            f"Acute:chronic ratio of running minutes at the onset: {', '.join(ratios)}. "
            f"[dim]LOAD-3: {escape(CAVEATS['LOAD-3'])}[/]",
            highlight=False,
        )
    out.print(
        f"These are patterns to talk over with your therapist, not causes. {DISCLAIMER}",
        highlight=False,
    )


# --- shoes ----------------------------------------------------------------------------------------


@shoes_app.callback(invoke_without_command=True)
def shoes_list(ctx: typer.Context, athlete: AthleteOption = None) -> None:
    """Every shoe, most run in first: runs, km, and its Minimalist Index (MIN-6)."""
    from restride.services import shoes

    if ctx.invoked_subcommand is not None:
        return
    with opened() as db:
        account = local_athlete(db, athlete)
        found = shoes.list_shoes(db, account.id, zone=local_zone())
    if not found:
        out.print(
            "No shoes yet: `restride shoes add NAME`, or import files that name their gear.",
            highlight=False,
        )
        return
    table = Table("shoe", "type", "MI", "runs", "km", "first", "last")
    for s in found:
        table.add_row(
            escape(s.name),
            s.type,
            "-" if s.minimalist_index is None else f"{s.minimalist_index:.0f}%",
            str(s.runs),
            f"{s.km:.1f}",
            str(s.first_used or "-"),
            str(s.last_used or "-"),
        )
    out.print(table)
    out.print(
        "MI: Minimalist Index (Esculier 2015): weight, stack, drop, flexibility and motion "
        "control, 20% each; in-between anchors are not published [U], so restride interpolates.",
        highlight=False,
    )


@shoes_app.command("add")
def shoes_add(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The shoe's name, as your files call it.")
    ],
    weight_g: Annotated[float | None, typer.Option(help="Weight of one shoe, grams.")] = None,
    stack_mm: Annotated[float | None, typer.Option(help="Stack height at the heel, mm.")] = None,
    drop_mm: Annotated[float | None, typer.Option(help="Heel-to-toe drop, mm.")] = None,
    flexibility: Annotated[
        int | None, typer.Option(metavar="0-5", help="5: bends and twists freely.")
    ] = None,
    motion_control: Annotated[
        int | None,
        typer.Option(metavar="0-5", help="5: no stability or motion control."),
    ] = None,
    brand: Annotated[str | None, typer.Option()] = None,
    model: Annotated[str | None, typer.Option()] = None,
    athlete: AthleteOption = None,
) -> None:
    """Add a shoe, or describe one; with all five figures it gets its Minimalist Index."""
    from restride.services import shoes

    with opened() as db:
        account = local_athlete(db, athlete)
        shoe, created = shoes.describe_shoe(
            db,
            account.id,
            name,
            weight_g=weight_g,
            stack_mm=stack_mm,
            drop_mm=drop_mm,
            flexibility=flexibility,
            motion_control=motion_control,
            brand=brand,
            model=model,
        )
    verb = "Added" if created else "Updated"
    if shoe.minimalist_index is None:
        out.print(
            f"{verb} {escape(shoe.name)}. Give --weight-g, --stack-mm, --drop-mm, "
            "--flexibility and --motion-control for its Minimalist Index.",
            highlight=False,
        )
        return
    out.print(
        f"{verb} {escape(shoe.name)}: Minimalist Index {shoe.minimalist_index:.0f}% "
        f"({shoe.type}) (MIN-6).",
        highlight=False,
    )
