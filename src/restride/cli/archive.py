"""`restride export` and `restride restore`: the whole record as one versioned JSON archive."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from restride.cli.app import app, err, fail, guarded, open_database, out


@app.command("export")
def export_command(
    file: Annotated[
        str | None,
        typer.Argument(
            help="Write the archive to this file; `-` or nothing: standard output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write every table to one versioned JSON archive: a full backup.

    It includes password hashes, so keep it as private as the database.
    """
    from restride.services import archive

    db = open_database()
    with guarded():
        text, counts = archive.export_with_counts(db)
    data = text.encode("utf-8")
    if file is None or file == "-":
        stream = typer.get_binary_stream("stdout")
        stream.write(data)
        stream.flush()
        return
    try:
        write_atomically(Path(file), data)
    except OSError as exc:
        fail(f"{file}: cannot write the archive: {exc.strerror or exc}")
    err.print(
        f"exported {sum(counts.values())} rows to {escape(file)} ({_summary(counts)})",
        highlight=False,
    )


@app.command("restore")
def restore_command(
    file: Annotated[
        str,
        typer.Argument(help="The archive made by `restride export`; `-` reads standard input."),
    ],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Delete everything in the database first, in the same transaction."
        ),
    ] = False,
) -> None:
    """Load an archive into an empty database: all of it or, on any error, nothing."""
    from restride.services import archive

    source = "stdin" if file == "-" else file
    try:
        raw = typer.get_binary_stream("stdin").read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        fail(f"{file}: cannot read the archive: {exc.strerror or exc}")
    try:
        # utf-8-sig: an editor may have put a byte-order mark in front.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{source}: not UTF-8 text (byte {exc.start} cannot be read)")
    db = open_database(migrate=True)
    with guarded():
        counts = archive.restore_archive(db, text, replace=replace, source=source)
    replaced = ", replacing what was there" if replace else ""
    # soft_wrap: a long path stays on one line.
    out.print(
        f"restored {sum(counts.values())} rows from {escape(source)}{replaced}",
        highlight=False,
        soft_wrap=True,
    )
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        out.print(f"  {name:<{width}}  {count:>6}", highlight=False)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that it holds the old file or the whole new one, never a part.

    The temporary file is private (mode 0600) and so, after the rename, is the archive.
    """
    folder = path.parent
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if os.name == "posix":
        # The rename itself is only durable once the folder's entry is on disk.
        folder_handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_handle)
        finally:
            os.close(folder_handle)


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in counts.items())
