"""How fast restride parses real activity files, beside the FIT and XML libraries it could use.

Run it with `.venv/bin/python benchmarks/import_bench.py [CORPUS]`. CORPUS defaults to
$RESTRIDE_ACTIVITY_CORPUS, else ../shared/data/activities next to the checkout.

Every file is read into memory first, so the rates are parse-only: no disk, no database.
For each parser it prints files/s, MB/s (of file bytes) and records/s (track points or FIT
record messages), best of a few runs for the quick ones and one run for the slow ones:

- restride, 1 core:   `parse_bytes` on every file, every format, to domain Activities;
- restride, N cores:  the same through `parse_many` on a process pool (files from disk);
- restride FIT / GPX / TCX: the single-core run split by format;
- fitdecode, garmin-fit-sdk, fitfast: parse-only over the FIT files (failures counted);
- lxml iterparse (recover mode): parse-only over the GPX and TCX files;
- restride import, 1 core and N cores: end-to-end, what `restride import` does (read the files
  from disk, parse, dedupe, write one transaction per file) into a fresh SQLite database each
  run; creating and migrating the database is not timed.

The baseline is fitfast parse-only (Rust). A file counts as read when the parser returns
records without raising (restride: an activity, or a recognised non-activity; end-to-end: a file
imported, a duplicate, or skipped as no activity). The last lines say whether restride reads
every FIT file that any library reads, whether the end-to-end import reads every file the
parse-only run reads, and how the end-to-end rate compares with fitfast parsing alone.
The script is a measurement: it always exits 0.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from restride.importers import ImportProblem, NotAnActivity, parse_bytes, parse_many
from restride.services.athletes import create_account
from restride.services.imports import import_paths
from restride.storage.database import Database

if TYPE_CHECKING:
    from collections.abc import Callable

QUICK_REPEATS = 3  # best of, for parsers that take seconds
SKIP = {"README.md", "LIBRARIES.md", "MANIFEST.tsv"}


@dataclass
class Measure:
    name: str
    files: int = 0
    read: set[str] = field(default_factory=set)
    failed: int = 0
    size_bytes: int = 0
    records: int = 0
    seconds: float = float("inf")
    per_file: dict[str, tuple[float, int, bool]] = field(default_factory=dict)

    def subset(self, name: str, prefix: str, files: dict[str, bytes]) -> Measure:
        """The same run, counting only the files whose key starts with `prefix`."""
        keys = [k for k in self.per_file if k.startswith(prefix)]
        return Measure(
            name,
            files=len(keys),
            read={k for k in keys if k in self.read},
            failed=sum(not self.per_file[k][2] for k in keys),
            size_bytes=sum(len(files[k]) for k in keys),
            records=sum(self.per_file[k][1] for k in keys),
            seconds=sum(self.per_file[k][0] for k in keys),
        )


def corpus_folder() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    configured = os.environ.get("RESTRIDE_ACTIVITY_CORPUS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "activities"


def load(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in SKIP
    }


def fit_bytes(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def run(
    name: str,
    files: dict[str, bytes],
    parse: Callable[[str, bytes], tuple[bool, int]],
    repeats: int,
) -> Measure:
    """Time `parse(name, data) -> (read, records)` over the files; keep the best run."""
    best = Measure(name, files=len(files), size_bytes=sum(len(d) for d in files.values()))
    for _ in range(repeats):
        m = Measure(name, files=best.files, size_bytes=best.size_bytes)
        start = time.perf_counter()
        for key, data in files.items():
            began = time.perf_counter()
            ok, records = parse(key, data)
            ok = ok and bool(data)  # nothing is read from an empty file
            m.per_file[key] = (time.perf_counter() - began, records, ok)
            m.records += records
            if ok:
                m.read.add(key)
            else:
                m.failed += 1
        m.seconds = time.perf_counter() - start
        if m.seconds < best.seconds:
            best = m
    return best


def decoded_records(files: dict[str, bytes]) -> dict[str, int]:
    """Records restride's FIT decoder gets from each file it decodes, activity or not."""
    from restride.importers.fit import read_fit

    out = {}
    for key, data in files.items():
        try:
            contents = read_fit(fit_bytes(data), key)
        except ImportProblem:
            continue
        out[key] = sum(s.record_count for s in contents.segments)
    return out


def restride(key: str, data: bytes) -> tuple[bool, int]:
    try:
        result = parse_bytes(data, key)
    except NotAnActivity:
        return True, 0
    except ImportProblem:
        return False, 0
    return True, result.records


def fitdecode_parse(key: str, data: bytes) -> tuple[bool, int]:
    import fitdecode  # type: ignore[import-untyped]

    records = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for frame in fitdecode.FitReader(fit_bytes(data)):
                if isinstance(frame, fitdecode.FitDataMessage) and frame.global_mesg_num == 20:
                    records += 1
        except fitdecode.FitError:
            return False, records
    return True, records


def garmin_sdk_parse(key: str, data: bytes) -> tuple[bool, int]:
    from garmin_fit_sdk import Decoder, Stream

    try:
        messages, errors = Decoder(Stream.from_byte_array(bytearray(fit_bytes(data)))).read()
    except Exception:  # it promises never to raise; count it if it does
        return False, 0
    records = len(messages.get("record_mesgs", []))
    return not errors, records


def fitfast_parse(key: str, data: bytes) -> tuple[bool, int]:
    import fitfast

    try:
        columns: dict[str, Any] = fitfast.records(fit_bytes(data))
    except Exception:  # young library: any failure is a file it could not read
        return False, 0
    return True, max((len(v) for v in columns.values()), default=0)


def lxml_parse(key: str, data: bytes) -> tuple[bool, int]:
    import io

    from lxml import etree  # type: ignore[import-untyped]

    points = 0
    try:
        for _event, element in etree.iterparse(
            io.BytesIO(data.lstrip(b"\xef\xbb\xbf \t\r\n")), recover=True, huge_tree=True
        ):
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag.endswith(("trkpt", "Trackpoint")):
                points += 1
                element.clear()
    except etree.Error:
        return False, points
    return True, points


def pool_run(folder: Path, files: dict[str, bytes], workers: int, repeats: int) -> Measure:
    best = Measure(
        f"restride, {workers} cores",
        files=len(files),
        size_bytes=sum(len(d) for d in files.values()),
    )
    paths = [folder / key for key in files]
    for _ in range(repeats):
        m = Measure(best.name, files=best.files, size_bytes=best.size_bytes)
        start = time.perf_counter()
        for path, result in zip(paths, parse_many(paths, workers=workers), strict=True):
            m.records += result.records
            if result.ok or result.skipped:
                m.read.add(str(path.relative_to(folder)))
            else:
                m.failed += 1
        m.seconds = time.perf_counter() - start
        if m.seconds < best.seconds:
            best = m
    return best


def end_to_end(folder: Path, files: dict[str, bytes], workers: int, repeats: int) -> Measure:
    """`restride import` of every file into a fresh SQLite database, best of `repeats`."""
    name = f"restride import, {workers} core" + ("s" if workers > 1 else "")
    best = Measure(name, files=len(files), size_bytes=sum(len(d) for d in files.values()))
    paths = [folder / key for key in files]
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as scratch:
            db = Database(f"sqlite:///{scratch}/bench.db")
            db.migrate()
            runner = create_account(db, email="bench@example.org", name="Bench").id
            m = Measure(best.name, files=best.files, size_bytes=best.size_bytes)
            start = time.perf_counter()
            report = import_paths(db, runner, paths, workers=workers)
            m.seconds = time.perf_counter() - start
            db.dispose()
        m.records = report.records
        for outcome in report.files:
            key = str(Path(outcome.source.split("!", 1)[0]).relative_to(folder))
            if outcome.status == "failed":
                m.failed += 1
            else:
                m.read.add(key)
        if m.seconds < best.seconds:
            best = m
    return best


def table(measures: list[Measure], baseline: Measure) -> None:
    print(
        f"{'parser':<30} {'files':>9} {'failed':>6} {'MB':>6} {'seconds':>8} {'files/s':>9}"
        f" {'MB/s':>7} {'records/s':>11} {'vs fitfast':>10}"
    )
    base_mb_s = baseline.size_bytes / 1e6 / baseline.seconds
    for m in measures:
        mb = m.size_bytes / 1e6
        ratio = (mb / m.seconds) / base_mb_s
        print(
            f"{m.name:<30} {len(m.read):>4}/{m.files:<4} {m.failed:>6} {mb:>6.1f}"
            f" {m.seconds:>8.2f} {m.files / m.seconds:>9.0f} {mb / m.seconds:>7.1f}"
            f" {m.records / m.seconds:>11,.0f} {ratio:>9.2f}x"
        )


def main() -> None:
    folder = corpus_folder().resolve()
    if not folder.is_dir():
        print(f"no corpus at {folder}: pass its path or set RESTRIDE_ACTIVITY_CORPUS")
        return
    everything = load(folder)
    fit = {k: v for k, v in everything.items() if k.startswith("fit/")}
    xml = {k: v for k, v in everything.items() if k.startswith(("gpx/", "tcx/"))}
    total_mb = sum(map(len, everything.values())) / 1e6
    print(f"corpus {folder}: {len(everything)} files, {total_mb:.1f} MB")
    print(f"  FIT {len(fit)} files, XML {len(xml)} files; parse-only, files held in memory\n")

    # warm up imports (fitdecode's profile, lxml) so no parser pays for them in its timing
    for warm in (restride, fitdecode_parse, garmin_sdk_parse, fitfast_parse):
        warm("warm-up", next(iter(fit.values())))

    ours = run("restride, 1 core (all files)", everything, restride, QUICK_REPEATS)
    by_format = [
        ours.subset(f"restride {fmt.upper()}, 1 core", fmt + "/", everything)
        for fmt in ("fit", "gpx", "tcx")
    ]
    workers = os.cpu_count() or 1
    pooled = pool_run(folder, everything, workers, QUICK_REPEATS)
    fitfast = run("fitfast (baseline, FIT)", fit, fitfast_parse, QUICK_REPEATS)
    lxml = run("lxml iterparse (GPX+TCX)", xml, lxml_parse, QUICK_REPEATS)
    sdk = run("garmin-fit-sdk (FIT)", fit, garmin_sdk_parse, 1)
    fitdecode = run("fitdecode (FIT)", fit, fitdecode_parse, 1)
    imported_1 = end_to_end(folder, everything, 1, QUICK_REPEATS)
    imported_n = end_to_end(folder, everything, workers, QUICK_REPEATS)
    # The same files fitfast parses: files/s and records/s compare directly.
    imported_fit = end_to_end(folder, fit, workers, QUICK_REPEATS)
    imported_fit.name += " (FIT)"

    ours_all = [ours, pooled, imported_1, imported_n, imported_fit, *by_format]
    table([*ours_all, fitfast, fitdecode, sdk, lxml], fitfast)

    # Coverage is a decoding question: the libraries decode, restride's FIT decoder decodes
    # (then refuses, say, a run with no date). A file "missed" is one a library decodes
    # with more records than restride's decoder gets from it.
    ours_decoded = decoded_records(fit)
    missed = {}
    for lib in (fitfast, fitdecode, sdk):
        for key in lib.read:
            theirs = lib.per_file[key][1]
            if ours_decoded.get(key, -1) < theirs:
                missed[key] = (
                    f"{lib.name.split()[0]} {theirs} records, restride {ours_decoded.get(key)}"
                )
    print()
    if missed:
        print(f"restride's decoder misses {len(missed)} FIT files a library reads:")
        for key, why in sorted(missed.items()):
            print(f"  {key}: {why}")
    else:
        print(
            "restride's FIT decoder reads every FIT file that fitfast, fitdecode or"
            " garmin-fit-sdk reads, with at least as many records."
        )
    others = fitfast.read | fitdecode.read | sdk.read
    extra = sorted(k for k in ours_decoded if k not in others and ours_decoded[k] > 0)
    if extra:
        print(f"it also reads records from {len(extra)} FIT files none of them reads cleanly:")
        for key in extra:
            print(f"  {key}: {ours_decoded[key]} records")
    refused = sorted(k for k in fit if k not in by_format[0].read)
    print(f"FIT files restride refuses to import, with a reason: {refused}")
    fit_ours = by_format[0]
    print(
        f"speed (FIT, 1 core): {fitdecode.seconds / fit_ours.seconds:.0f}x fitdecode,"
        f" {sdk.seconds / fit_ours.seconds:.0f}x garmin-fit-sdk,"
        f" {fitfast.seconds / fit_ours.seconds:.2f}x fitfast"
    )
    unread = sorted(ours.read - imported_n.read)
    print(
        "the end-to-end import reads every file the parse-only run reads"
        if not unread
        else f"the end-to-end import misses {len(unread)} files the parse-only run reads: {unread}"
    )
    base = fitfast.size_bytes / fitfast.seconds
    for m in (imported_1, imported_n, imported_fit):
        rate = m.size_bytes / m.seconds
        verdict = "at least as fast as" if rate >= base else "slower than"
        print(
            f"{m.name} (parse, dedupe, write): {rate / 1e6:.1f} MB/s, {rate / base:.2f}x"
            f" fitfast parsing alone ({base / 1e6:.1f} MB/s): {verdict} the baseline"
        )
    print(
        f"on the FIT files alone, end-to-end on {workers} cores: "
        f"{imported_fit.files / imported_fit.seconds:.0f} files/s and "
        f"{imported_fit.records / imported_fit.seconds:,.0f} records/s; fitfast parsing: "
        f"{fitfast.files / fitfast.seconds:.0f} files/s and "
        f"{fitfast.records / fitfast.seconds:,.0f} records/s"
    )


if __name__ == "__main__":
    main()
